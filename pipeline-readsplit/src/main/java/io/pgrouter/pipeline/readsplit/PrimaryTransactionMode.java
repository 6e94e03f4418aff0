package io.pgrouter.pipeline.readsplit;

import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.Route;
import io.pgrouter.pipeline.readsplit.sql.RouteReason;
import io.pgrouter.spi.protocol.BackendMessages;
import java.util.Locale;

/**
 * Whether the session's transaction on the primary is read-only (begun READ ONLY, with nothing
 * since that could write), and so whether a statement sent there may write: a read-only
 * transaction does not count as a write for read-your-writes. No I/O: the primary's transaction
 * status (its last ReadyForQuery's) is passed in.
 */
final class PrimaryTransactionMode {
    private boolean readOnly;

    /**
     * Follows a statement on its way to the primary: one that begins a transaction sets the mode;
     * anything but a read or plain transaction control (COMMIT, SAVEPOINT, SET TRANSACTION without
     * READ WRITE) clears it.
     *
     * @return whether the transaction is read-only after the statement
     */
    boolean note(Classification c, String text, byte transactionStatus) {
        if (c.beginsTransaction()) {
            readOnly = c.readOnlyTransaction() && c.route() == Route.REPLICA;
        } else if (c.route() != Route.REPLICA && !controlsReadOnly(c, transactionStatus)) {
            readOnly = false;
        } else if (c.reason() == RouteReason.TRANSACTION_CONTROL && text.toLowerCase(Locale.ROOT).contains("write")) {
            readOnly = false; // SET TRANSACTION READ WRITE, say
        }
        return readOnly;
    }

    /**
     * Whether a statement sent to the primary may write, for read-your-writes: not a setting, not
     * plain read-only transaction control, not a read of node-local state (which only runs there
     * to answer for the session's own node).
     */
    boolean mayWrite(Classification c, byte transactionStatus) {
        return c.route() == Route.PRIMARY && !c.setsSessionState() && !controlsReadOnly(c, transactionStatus)
                && c.reason() != RouteReason.NODE_LOCAL;
    }

    /** A single transaction-control statement inside a read-only transaction on the primary: no write. */
    private boolean controlsReadOnly(Classification c, byte transactionStatus) {
        return readOnly && transactionStatus != BackendMessages.IDLE && c.statementCount() == 1
                && c.reason() == RouteReason.TRANSACTION_CONTROL && !c.beginsTransaction();
    }
}
