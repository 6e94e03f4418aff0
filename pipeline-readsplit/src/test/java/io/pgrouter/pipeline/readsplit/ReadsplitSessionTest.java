package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.DATA_ROW;
import static io.pgrouter.spi.protocol.MessageType.Backend.ROW_DESCRIPTION;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.FakeSession.Kind;
import io.pgrouter.spi.testkit.Recorded;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The readsplit pipeline's routing, message by message, against the fake session and cluster. */
class ReadsplitSessionTest {
    private final FakeSession session = new FakeSession();
    private FakeBackend primary;

    @BeforeEach
    void connect() {
        session.start(s -> new ReadsplitSession(s, new StatementClassifier()));
        assertEquals(Kind.RELAY_TO_PRIMARY, session.requests().get(0).kind());
        primary = session.grant();
    }

    private static List<String> queries(FakeBackend backend) {
        return backend.sent().stream().map(Recorded::buf).map(FrontendMessages::queryText).toList();
    }

    /** BEGIN, answered by the primary. */
    private void beginOnPrimary() {
        session.clientRead(session.query("BEGIN"));
        primary.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
    }

    /** Sends a read, which makes pgrouter log into the replica: returns the replica. */
    private FakeBackend readOnReplica(String sql) {
        session.clientRead(session.query(sql));
        assertEquals(Kind.LOGIN, session.requests().get(0).kind());
        assertEquals(FakeSession.REPLICA, session.requests().get(0).target());
        return session.grant();
    }

    @Test
    void aReadGoesToAReplicaAndItsAnswerToTheClient() {
        FakeBackend replica = readOnReplica("SELECT 1");
        assertEquals(List.of("SELECT 1"), queries(replica));
        assertEquals("", primary.sentTypes());
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"), session.message(DATA_ROW, "\0\0"), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals("TDCZ", session.toClientTypes());
        assertEquals(1, session.clientWrites(), "a plain answer goes on whole, in one write");
        session.finish();
    }

    @Test
    void anAnswerSettledInALaterReadForwardsWhatWasHeldFirst() {
        FakeBackend replica = readOnReplica("SELECT 1");
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"));
        assertEquals("", session.toClientTypes(), "a RowDescription does not settle the read: a refusal may follow");
        replica.serverRead(session.message(DATA_ROW, "\0\0"), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals("TDCZ", session.toClientTypes());
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of("SELECT 1", "SELECT 2"), queries(replica), "the read ended: the next one goes there too");
        session.finish();
    }

    @Test
    void anUnnamedExtendedGroupThatReadsGoesToTheReplicaWhole() {
        session.clientRead(FrontendMessages.parse(session.alloc(), "", "SELECT $1"),
                FrontendMessages.bind(session.alloc(), "", "", "7"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        FakeBackend replica = session.grant();
        assertEquals(FakeSession.REPLICA, replica.address());
        assertEquals("PBES", replica.sentTypes());
        assertEquals("", primary.sentTypes());
        session.finish();
    }

    @Test
    void aWriteGoesToThePrimary() {
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertEquals(List.of("INSERT INTO t VALUES (1)"), queries(primary));
        assertEquals(List.of(), session.requests(), "no replica needed");
        session.finish();
    }

    @Test
    void thePrimarysPlainAnswerGoesOnInOneWrite() {
        beginOnPrimary();
        assertEquals(2, session.clientWrites(), "a relayed login ends at the first ReadyForQuery: until then, message by message");
        session.clientRead(session.query("SELECT 1"));
        primary.serverRead(session.message(ROW_DESCRIPTION, "\0\0"), session.message(DATA_ROW, "\0\0"), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IN_TRANSACTION));
        assertEquals("CZTDCZ", session.toClientTypes());
        assertEquals(3, session.clientWrites(), "then an answer whole, in one write");
        session.clientRead(session.query("SELECT * FROM missing"));
        primary.serverRead(BackendMessages.errorResponse(session.alloc(), "ERROR", "42P01", "no such table"),
                session.readyForQuery(BackendMessages.FAILED_TRANSACTION));
        assertEquals("CZTDCZEZ", session.toClientTypes());
        assertEquals(5, session.clientWrites(), "an error goes message by message, as before");
        session.finish();
    }

    @Test
    void aReplicaRefusalIsRetriedOnThePrimaryUnseen() {
        FakeBackend replica = readOnReplica("SELECT count(*) FROM t");
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"),
                BackendMessages.errorResponse(session.alloc(), "ERROR", SqlState.READ_ONLY_SQL_TRANSACTION,
                        "cannot execute SELECT in a read-only transaction"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of("SELECT count(*) FROM t"), queries(primary), "the same query, on the primary");
        assertEquals("", session.toClientTypes(), "nothing of the replica's answer reached the client");
        primary.serverRead(session.message(ROW_DESCRIPTION, "\0\0"), session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("TCZ", session.toClientTypes());
        session.finish();
    }

    @Test
    void aGenuineErrorOnTheReplicaIsTheClientsAnswer() {
        FakeBackend replica = readOnReplica("SELECT * FROM missing");
        replica.serverRead(BackendMessages.errorResponse(session.alloc(), "ERROR", "42P01", "no such table"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals("", primary.sentTypes(), "not retried");
        assertEquals("EZ", session.toClientTypes());
        session.finish();
    }

    @Test
    void aTransactionBegunOnThePrimaryKeepsItsReadsThere() {
        beginOnPrimary();
        session.clientRead(session.query("SELECT 1"));
        assertEquals(List.of("BEGIN", "SELECT 1"), queries(primary));
        assertEquals(List.of(), session.requests(), "no replica inside the primary's transaction");
        session.finish();
    }

    @Test
    void whatTheClientSendsDuringAReplicaReadWaitsForItsAnswer() {
        FakeBackend replica = readOnReplica("SELECT 1");
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertEquals("", primary.sentTypes(), "answers must keep their order");
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of("INSERT INTO t VALUES (1)"), queries(primary));
        session.finish();
    }
}
