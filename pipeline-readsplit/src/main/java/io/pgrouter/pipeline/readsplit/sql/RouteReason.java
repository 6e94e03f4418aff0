package io.pgrouter.pipeline.readsplit.sql;

/**
 * Why a statement got its {@link Route}; meant for debug logs and counters. For a multi-statement
 * string it is the reason of the first statement that sent the whole string to the primary.
 */
public enum RouteReason {
    READ_ONLY("read-only statement", false),
    READ_ONLY_TRANSACTION("BEGIN/START TRANSACTION READ ONLY", false),
    WRITE("writes data (INSERT/UPDATE/DELETE/MERGE/TRUNCATE)", false),
    DATA_MODIFYING_SUBSTATEMENT("INSERT/UPDATE/DELETE/MERGE inside a query, e.g. a data-modifying CTE", false),
    LOCKING("takes row or table locks (FOR UPDATE/SHARE, LOCK)", false),
    SELECT_INTO("SELECT INTO creates a table", false),
    WRITE_FUNCTION("calls a function known or configured to write", false),
    NODE_LOCAL("reads state of the node it runs on (statistics, locks, backend pid, ...)", true),
    SCHEMA_CHANGE("DDL or privileges", false),
    MAINTENANCE("VACUUM/ANALYZE/CHECKPOINT", false),
    COPY_FROM("COPY FROM writes data", false),
    COPY_TO_SERVER("COPY TO a server file or program runs on one server", false),
    NOTIFICATION("LISTEN/NOTIFY/UNLISTEN", false),
    TRANSACTION_CONTROL("transaction control", false),
    SESSION_STATE("SET/RESET/DISCARD", false),
    PREPARED_STATEMENT("SQL-level PREPARE/EXECUTE/DEALLOCATE", false),
    CURSOR("cursor command; the cursor lives on one backend", false),
    PROCEDURE("CALL or DO may write", true),
    UNKNOWN_STATEMENT("statement not known to be read-only", true),
    MALFORMED_INPUT("unterminated quote, comment or unbalanced parentheses", false),
    EMPTY("no statement", false),
    HINT_PRIMARY("/* pgrouter:primary */ hint", false),
    HINT_REPLICA("/* pgrouter:replica */ hint", false);

    private final String description;
    private final boolean replicaHintHonoured;

    RouteReason(String description, boolean replicaHintHonoured) {
        this.description = description;
        this.replicaHintHonoured = replicaHintHonoured;
    }

    /** A short human-readable explanation. */
    public String description() {
        return description;
    }

    /**
     * Whether a {@code /* pgrouter:replica *}{@code /} hint may move a statement with this reason to a
     * replica: only when the classifier is merely unsure, never for statements known to write.
     */
    public boolean replicaHintHonoured() {
        return replicaHintHonoured;
    }
}
