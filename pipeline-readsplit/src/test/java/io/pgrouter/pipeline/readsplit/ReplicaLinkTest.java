package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.DATA_ROW;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.ROW_DESCRIPTION;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.FakeSession.Kind;
import io.pgrouter.spi.testkit.Recorded;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replica link's phases the routing tests do not reach: answers owed for a refused read,
 * a lazy Parse the replica refuses, the replica going away before, during and after an answer
 * or inside its transaction, the session ending during a login, and giving a pooled replica back.
 */
class ReplicaLinkTest {
    private final FakeSession session = new FakeSession();
    private FakeBackend primary;

    private void start() {
        session.start(s -> new ReadsplitSession(s, new StatementClassifier()));
        primary = session.grant();
    }

    private static List<String> queries(List<Recorded> sent) {
        return sent.stream().map(Recorded::buf).map(FrontendMessages::queryText).toList();
    }

    /** Sends a read, which makes pgrouter log into the replica: returns the replica. */
    private FakeBackend readOnReplica(String sql) {
        session.clientRead(session.query(sql));
        assertEquals(FakeSession.REPLICA, session.requests().get(0).target());
        return session.grant();
    }

    /** A read whose RowDescription and first row reached the client: returns the replica. */
    private FakeBackend halfAnswered() {
        start();
        FakeBackend replica = readOnReplica("SELECT 1");
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"), session.message(DATA_ROW, "\0\0"));
        assertEquals("TD", session.takeToClientTypes());
        return replica;
    }

    /** The primary's answer to a one-row read, and what the client then has. */
    private String primaryAnswers() {
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        return session.toClientTypes();
    }

    private ByteBuf refusal() {
        return BackendMessages.errorResponse(session.alloc(), "ERROR", SqlState.READ_ONLY_SQL_TRANSACTION,
                "cannot execute SELECT in a read-only transaction");
    }

    /** The client's last ErrorResponse: its SQLSTATE and message. */
    private String lastError() {
        List<Recorded> all = session.toClient();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).type() == io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE) {
                ByteBuf b = all.get(i).buf();
                return BackendMessages.sqlState(b) + " " + BackendMessages.message(b);
            }
        }
        throw new AssertionError("no ErrorResponse");
    }

    @Test
    void whatTheReplicaStillSaysAboutARefusedReadIsSwallowedBeforeTheNextReadsAnswer() {
        start();
        FakeBackend replica = readOnReplica("SELECT count(*) FROM t");
        replica.serverRead(refusal());
        assertEquals(List.of("SELECT count(*) FROM t"), queries(primary.sent()));
        assertEquals("CZ", primaryAnswers());
        session.takeToClientTypes();
        // The retry may have written (a refusal says so): the primary is asked where its WAL is.
        assertEquals(List.of(WritePositions.QUERY), queries(primary.sentInternally()));
        primary.serverRead(BackendMessages.rowDescription(session.alloc(), "lsn"), BackendMessages.dataRow(session.alloc(), "0/0"),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.takeToClientTypes();
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of("SELECT count(*) FROM t", "SELECT 2"), queries(replica.sent()), "the replica serves the next read");
        replica.serverRead(session.readyForQuery(BackendMessages.IDLE), session.message(DATA_ROW, "\0\0"),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("DCZ", session.toClientTypes(), "the refused read's ReadyForQuery is not the client's");
        assertFalse(replica.closedByPipeline());
        session.finish();
    }

    @Test
    void aRefusedReadThatBeganATransactionThereIsRolledBackOnTheReplica() {
        start();
        FakeBackend replica = readOnReplica("SELECT count(*) FROM t");
        replica.serverRead(refusal(), session.readyForQuery(BackendMessages.FAILED_TRANSACTION));
        assertEquals(List.of("ROLLBACK"), queries(replica.sentInternally()));
        assertEquals("", session.toClientTypes());
        assertEquals(List.of("SELECT count(*) FROM t"), queries(primary.sent()));
        session.finish();
    }

    @Test
    void aLazyParseTheReplicaRefusesRunsTheGroupOnThePrimaryAndLeavesTheReplica() {
        start();
        session.clientRead(FrontendMessages.parse(session.alloc(), "s1", "SELECT 1"), FrontendMessages.sync(session.alloc()));
        assertEquals("PS", primary.takeSentTypes(), "a named Parse runs on the primary");
        primary.serverRead(session.message(PARSE_COMPLETE), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("1Z", session.takeToClientTypes());
        session.clientRead(FrontendMessages.bind(session.alloc(), "", "s1"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        FakeBackend replica = session.grant();
        assertEquals("PBES", replica.sentTypes(), "the statement is parsed there first");
        replica.serverRead(BackendMessages.errorResponse(session.alloc(), "ERROR", "42P01", "relation \"t\" does not exist"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals("BES", primary.sentTypes(), "the group, without the Parse, on the primary");
        assertTrue(replica.closedByPipeline(), "its state is unsure after the failed Parse");
        assertEquals("", session.toClientTypes());
        primary.serverRead(session.message(io.pgrouter.spi.protocol.MessageType.Backend.BIND_COMPLETE),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("2CZ", session.toClientTypes());
        session.finish();
    }

    @Test
    void aReplicaLostBeforeItsAnswerLeavesTheReadToThePrimary() {
        start();
        FakeBackend replica = readOnReplica("SELECT 1");
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"));
        replica.lost(new IOException("connection reset"));
        assertEquals(List.of("SELECT 1"), queries(primary.sent()));
        assertEquals("CZ", primaryAnswers(), "what was held is dropped: the primary's answer only");
        session.finish();
    }

    @Test
    void aReplicaLostInTheMiddleOfAnAnswerFailsTheStatementAndTheSessionGoesOn() {
        halfAnswered().lost(new IOException("connection reset"));
        assertEquals("EZ", session.toClientTypes());
        assertEquals(SqlState.CONNECTION_FAILURE + " pgrouter: lost the replica " + FakeSession.REPLICA
                + " in the middle of an answer (java.io.IOException: connection reset); the statement did not complete",
                lastError());
        assertEquals("", primary.sentTypes(), "part of the answer was the client's: not retried");
        assertFalse(session.closed());
        session.takeToClientTypes();
        session.clientRead(session.query("SELECT 2"));
        assertEquals(Kind.LOGIN, session.requests().get(0).kind(), "the next read logs in again");
        session.grant();
        session.finish();
    }

    @Test
    void aFatalInTheMiddleOfAnAnswerReachesTheClientWithItsCodeWhenTheReplicaCloses() {
        FakeBackend replica = halfAnswered();
        replica.serverRead(BackendMessages.errorResponse(session.alloc(), "FATAL", SqlState.ADMIN_SHUTDOWN,
                "terminating connection due to administrator command"));
        assertEquals("", session.toClientTypes(), "the FATAL waits for the connection to close");
        replica.lost(null);
        assertEquals("EZ", session.toClientTypes());
        assertEquals(SqlState.ADMIN_SHUTDOWN + " pgrouter: lost the replica " + FakeSession.REPLICA
                + " in the middle of an answer (terminating connection due to administrator command);"
                + " the statement did not complete", lastError());
        session.finish();
    }

    @Test
    void aReplicaLostInsideItsTransactionEndsTheSession() {
        String why = "during a read-only transaction that ran there (java.io.IOException: connection reset)";
        start();
        FakeBackend replica = readOnReplica("BEGIN READ ONLY");
        replica.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.clientRead(session.query("SELECT 1")); // in flight there when it goes
        replica.lost(new IOException("connection reset"));
        assertEquals(SqlState.CONNECTION_FAILURE + " pgrouter: lost the replica " + FakeSession.REPLICA + " " + why,
                session.failure() + " " + session.failureMessage());
        session.finish();
    }

    @Test
    void theClientLeavingDuringALoginReleasesTheReadWaitingForIt() {
        start();
        session.clientRead(session.query("SELECT 1"));
        assertEquals(Kind.LOGIN, session.requests().get(0).kind());
        session.clientGone();
        assertEquals("", primary.sentTypes(), "the read goes nowhere");
        session.finish(); // fails on the read's buffer if it is not released
    }

    @Test
    void aPooledReplicaWithNothingOpenGoesBackToThePool() {
        FakeBackend replica = pooledReplicaReading();
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.clientGone();
        assertTrue(session.released().contains(replica));
        assertFalse(replica.closedByPipeline());
        session.finish();
    }

    @Test
    void aPooledReplicaInTheMiddleOfAReadIsClosed() {
        FakeBackend replica = pooledReplicaReading();
        session.clientGone();
        assertFalse(session.released().contains(replica));
        assertTrue(replica.closedByPipeline(), "what it is in the middle of is unknown");
        session.finish();
    }

    /** With pgrouter's own authentication: a read on a replica from the pool, not answered yet. */
    private FakeBackend pooledReplicaReading() {
        session.pgrouterAuthenticates(true);
        start();
        session.clientRead(session.query("SELECT 1"));
        assertEquals(Kind.ACQUIRE, session.requests().get(0).kind());
        return session.grant();
    }
}
