package io.pgrouter.pipeline.readsplit.sql;

import java.util.Objects;

/**
 * A SQL-level prepared statement command found in the text (PREPARE, EXECUTE, DEALLOCATE, and
 * DISCARD ALL, which deallocates all). Protocol-level Parse messages are the pipeline's own business.
 *
 * @param kind what the command does
 * @param name the statement name as PostgreSQL sees it (unquoted names folded to lower case);
 *             null for {@link Kind#DEALLOCATE_ALL}
 * @param body for {@link Kind#PREPARE}, the classification of the prepared statement's body (what
 *             an EXECUTE of it does); null otherwise
 */
public record PreparedStatementCommand(Kind kind, String name, Classification body) {

    /** The kinds of command. */
    public enum Kind { PREPARE, EXECUTE, DEALLOCATE, DEALLOCATE_ALL }

    public PreparedStatementCommand {
        Objects.requireNonNull(kind, "kind");
        if ((name == null) != (kind == Kind.DEALLOCATE_ALL)) {
            throw new IllegalArgumentException("name is required except for DEALLOCATE_ALL");
        }
        if ((body == null) == (kind == Kind.PREPARE)) {
            throw new IllegalArgumentException("body is required for PREPARE and only for PREPARE");
        }
    }
}
