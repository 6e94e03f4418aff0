package io.pgrouter.pipeline.readsplit.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Views and functions whose answer belongs to the node that runs them and the session there:
 * statistics and activity, locks, prepared transactions and statements, replication and the WAL
 * receiver, the backend's pid. A read naming one runs where the session's primary connection is,
 * so that a user comparing {@code pg_stat_activity} or {@code pg_prepared_xacts} with what their
 * session just did sees their own node. Every {@code pg_stat*} name counts, plus the list below
 * and the configured ones. Facts about the node rather than the session on it
 * ({@code inet_server_port()}, {@code pg_is_in_recovery()}, the WAL positions) are not in it: they
 * are how one asks which node served a read, and they answer for the node that did. Lookup reads the token in place: an open-addressing
 * table keyed by the name's hash, as {@link WriteFunctions}.
 */
final class NodeLocalNames {
    static final List<String> BUILT_IN = List.of(
            "pg_locks", "pg_prepared_xacts", "pg_prepared_statements", "pg_cursors", "pg_replication_slots",
            "pg_backend_memory_contexts", "pg_replication_origin_status",
            "pg_backend_pid", "pg_blocking_pids", "pg_safe_snapshot_blocking_pids", "pg_my_temp_schema");

    /** Statistics views and functions: pg_stat_activity, pg_statio_user_tables, pg_stat_get_*, ... */
    private static final String PREFIX = "pg_stat";

    private final String[] names;
    private final int mask;
    /** The first characters any name starts with: most words are ruled out by their first letter, unhashed. */
    private final boolean[] firstChars = new boolean[128];
    /** Some name starts with a character outside ASCII: no word is ruled out by its first letter. */
    private boolean anyFirstChar;

    /** @param extra configured names (views or functions), case-insensitive unless double-quoted */
    NodeLocalNames(Collection<String> extra) {
        List<String> all = new ArrayList<>(BUILT_IN);
        for (String configured : extra) {
            String[] qualified = Identifiers.parseQualifiedName(configured);
            all.add(qualified[1]);
        }
        int size = Integer.highestOneBit(all.size() * 4 - 1) << 1;
        names = new String[size];
        mask = size - 1;
        for (String name : all) {
            int slot = name.hashCode() & mask;
            while (names[slot] != null && !names[slot].equals(name)) {
                slot = (slot + 1) & mask;
            }
            names[slot] = name;
            char first = name.isEmpty() ? 0 : name.charAt(0);
            if (first < 128) {
                firstChars[first] = true;
            } else {
                anyFirstChar = true;
            }
        }
    }

    /** Whether the identifier at {@code [start, end)} names node-local state. */
    boolean matches(CharSequence sql, int start, int end, boolean quoted) {
        char first = quoted ? '"' : Identifiers.lower(sql.charAt(start));
        if (!quoted && !anyFirstChar && first < 128 && !firstChars[first]) {
            return false;
        }
        if (Identifiers.nameStartsWith(sql, start, end, quoted, PREFIX)) {
            return true;
        }
        int slot = Identifiers.hash(sql, start, end, quoted) & mask;
        for (String name = names[slot]; name != null; name = names[slot = (slot + 1) & mask]) {
            if (Identifiers.nameEquals(sql, start, end, quoted, name)) {
                return true;
            }
        }
        return false;
    }
}
