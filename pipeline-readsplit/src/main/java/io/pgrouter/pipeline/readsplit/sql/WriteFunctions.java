package io.pgrouter.pipeline.readsplit.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The functions whose call sends a statement to the primary: built-in ones that write, take
 * locks, consume transaction ids or act on the server they run on, plus a configured list.
 * Lookup reads the call's name in place: an open-addressing table keyed by the name's hash.
 */
final class WriteFunctions {

    /** What a call does, as far as routing is concerned. */
    enum Effect { NONE, WRITES, SESSION_ADVISORY_LOCK, SET_CONFIG }

    /**
     * Built-in functions that fail on a hot standby or must run where the session's state is.
     * All advisory lock functions (pg_advisory_*, pg_try_advisory_*) match by prefix instead.
     */
    static final List<String> BUILT_IN = List.of(
            "nextval", "setval", "currval", "lastval",
            "set_config", "pg_notify",
            "lo_creat", "lo_create", "lo_import", "lo_unlink", "lo_open", "lowrite", "lo_put",
            "lo_from_bytea", "lo_truncate", "lo_truncate64",
            "txid_current", "txid_current_if_assigned", "pg_current_xact_id", "pg_current_xact_id_if_assigned",
            "pg_switch_wal", "pg_create_restore_point", "pg_promote", "pg_reload_conf", "pg_rotate_logfile",
            "pg_cancel_backend", "pg_terminate_backend",
            "pg_create_physical_replication_slot", "pg_create_logical_replication_slot",
            "pg_drop_replication_slot", "pg_copy_physical_replication_slot", "pg_copy_logical_replication_slot",
            "pg_replication_slot_advance", "pg_logical_emit_message",
            "pg_replication_origin_create", "pg_replication_origin_drop", "pg_replication_origin_session_setup",
            "pg_replication_origin_advance", "pg_import_system_collations",
            "pg_stat_reset", "pg_stat_reset_shared", "pg_stat_reset_single_table_counters",
            "pg_stat_reset_single_function_counters", "pg_stat_reset_slru", "pg_stat_reset_replication_slot");

    private static final String[] ADVISORY_PREFIXES = {"pg_advisory_", "pg_try_advisory_"};

    private final String[] names;
    /** Per slot: null when any schema matches, else the schemas configured for that name. */
    private final String[][] schemas;
    private final int mask;

    /**
     * @param extra configured names, {@code name} or {@code schema.name}, double quotes respected;
     *              a qualified name also matches unqualified calls, which may resolve to it
     */
    WriteFunctions(Collection<String> extra) {
        List<String[]> entries = new ArrayList<>();
        for (String builtIn : BUILT_IN) {
            entries.add(new String[] {null, builtIn});
        }
        for (String configured : extra) {
            entries.add(Identifiers.parseQualifiedName(configured));
        }
        int size = Integer.highestOneBit(entries.size() * 4 - 1) << 1;
        names = new String[size];
        schemas = new String[size][];
        mask = size - 1;
        for (String[] entry : entries) {
            add(entry[0], entry[1]);
        }
    }

    private void add(String schema, String name) {
        int slot = name.hashCode() & mask;
        while (names[slot] != null && !names[slot].equals(name)) {
            slot = (slot + 1) & mask;
        }
        boolean fresh = names[slot] == null;
        names[slot] = name;
        if (schema == null) {
            schemas[slot] = null; // any schema wins over specific ones
        } else if (fresh) {
            schemas[slot] = new String[] {schema};
        } else if (schemas[slot] != null) {
            String[] more = java.util.Arrays.copyOf(schemas[slot], schemas[slot].length + 1);
            more[more.length - 1] = schema;
            schemas[slot] = more;
        }
    }

    /**
     * What calling the function named by the token at {@code [start, end)} does; {@code schemaStart}
     * is negative for an unqualified call.
     */
    Effect effectOf(CharSequence sql, int start, int end, boolean quoted, int schemaStart, int schemaEnd, boolean schemaQuoted) {
        for (String prefix : ADVISORY_PREFIXES) {
            if (Identifiers.nameStartsWith(sql, start, end, quoted, prefix)) {
                // Session-level locks outlive the statement; xact locks and unlocks do not pin.
                boolean sessionLevel = !Identifiers.nameContains(sql, start, end, quoted, "xact")
                        && !Identifiers.nameContains(sql, start, end, quoted, "unlock");
                return sessionLevel ? Effect.SESSION_ADVISORY_LOCK : Effect.WRITES;
            }
        }
        int slot = Identifiers.hash(sql, start, end, quoted) & mask;
        for (String name = names[slot]; name != null; name = names[slot = (slot + 1) & mask]) {
            if (Identifiers.nameEquals(sql, start, end, quoted, name)) {
                if (!schemaMatches(schemas[slot], sql, schemaStart, schemaEnd, schemaQuoted)) {
                    return Effect.NONE;
                }
                return name.equals("set_config") ? Effect.SET_CONFIG : Effect.WRITES;
            }
        }
        return Effect.NONE;
    }

    private static boolean schemaMatches(String[] allowed, CharSequence sql, int start, int end, boolean quoted) {
        if (allowed == null || start < 0) {
            return true;
        }
        for (String schema : allowed) {
            if (Identifiers.nameEquals(sql, start, end, quoted, schema)) {
                return true;
            }
        }
        return false;
    }
}
