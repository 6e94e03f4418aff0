package io.pgrouter.pipeline.readsplit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.protocol.BackendMessages;
import org.junit.jupiter.api.Test;

class PrimaryTransactionModeTest {
    private static final byte IN_TRANSACTION = 'T';

    private final StatementClassifier classifier = new StatementClassifier();
    private final PrimaryTransactionMode mode = new PrimaryTransactionMode();

    private boolean note(String sql, byte status) {
        return mode.note(classifier.classify(sql), sql, status);
    }

    private boolean mayWrite(String sql, byte status) {
        return mode.mayWrite(classifier.classify(sql), status);
    }

    @Test
    void aReadOnlyTransactionStaysReadOnlyThroughReadsAndItsCommit() {
        assertTrue(note("BEGIN READ ONLY", BackendMessages.IDLE));
        assertTrue(note("SELECT 1", IN_TRANSACTION));
        assertFalse(mayWrite("COMMIT", IN_TRANSACTION), "ending a read-only transaction writes nothing");
        assertTrue(note("COMMIT", IN_TRANSACTION));
    }

    @Test
    void anyStatementThatMayWriteEndsTheReadOnlyMode() {
        note("BEGIN READ ONLY", BackendMessages.IDLE);
        assertFalse(note("UPDATE t SET x = 1", IN_TRANSACTION));
        assertTrue(mayWrite("COMMIT", IN_TRANSACTION), "the transaction is no longer known to be read-only");
    }

    @Test
    void setTransactionReadWriteEndsIt() {
        note("BEGIN READ ONLY", BackendMessages.IDLE);
        assertFalse(note("SET TRANSACTION READ WRITE", IN_TRANSACTION));
    }

    @Test
    void aPlainBeginIsNotReadOnlyAndWritesMayWrite() {
        assertFalse(note("BEGIN", BackendMessages.IDLE));
        assertTrue(mayWrite("COMMIT", IN_TRANSACTION));
        assertTrue(mayWrite("INSERT INTO t VALUES (1)", BackendMessages.IDLE));
        assertFalse(mayWrite("SET search_path = s", BackendMessages.IDLE), "a setting is no write");
    }
}
