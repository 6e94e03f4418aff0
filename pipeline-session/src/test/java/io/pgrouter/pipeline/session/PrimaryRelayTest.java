package io.pgrouter.pipeline.session;

import static io.pgrouter.spi.protocol.MessageType.Backend.BACKEND_KEY_DATA;
import static io.pgrouter.spi.protocol.MessageType.Frontend.TERMINATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.FakeSession.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session pipeline's state machine, message by message, against the fake session. */
class PrimaryRelayTest {
    private final FakeSession session = new FakeSession();

    @Test
    void relaysBothWaysAndQueuesWhatComesBeforeThePrimary() {
        session.start(PrimaryRelay::new);
        assertEquals(Kind.RELAY_TO_PRIMARY, session.requests().get(0).kind());
        session.clientRead(session.query("SELECT 1"));
        assertTrue(session.holdsClient(), "core holds the query until the primary is up");
        FakeBackend primary = session.grant();
        assertEquals("Q", primary.takeSentTypes(), "the query waited for the connection");
        assertFalse(session.holdsClient());
        assertEquals(List.of(primary.address() + " all write"), session.takeRouted(),
                "core counts every request it relays as a write, the held one included");

        session.clientRead(session.query("SELECT 2"), session.query("SELECT 3"));
        assertEquals(List.of("SELECT 2", "SELECT 3"),
                primary.sent().stream().map(m -> FrontendMessages.queryText(m.buf())).toList());
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("CZ", session.takeToClientTypes());
        session.finish();
        assertTrue(primary.closedByPipeline(), "not pooled: the connection ends with the session");
    }

    @Test
    void aCancelReachesThePrimaryWithItsOwnKey() {
        // Core swaps the keys of a relayed login (the client gets pgrouter's, core keeps the
        // primary's as the backend's processId/secretKey): the pipeline only picks the backend.
        session.start(PrimaryRelay::new);
        FakeBackend primary = session.grant();
        primary.serverRead(session.readyForQuery(BackendMessages.IDLE));
        session.clientCancels();
        assertEquals(List.of(primary.address() + " " + primary.processId() + " " + primary.secretKey()), session.cancels());
        session.finish();
    }

    @Test
    void aPooledPrimaryGreetsTheClientAndIsResetForTheNextSession() {
        session.pgrouterAuthenticates(true).start(PrimaryRelay::new);
        assertEquals(Kind.ACQUIRE_PRIMARY, session.requests().get(0).kind());
        FakeBackend primary = session.grant(session.newBackend(FakeSession.PRIMARY).parameter("server_version", "17.0"));
        assertEquals("", primary.sentTypes(), "a fresh connection needs no reset");
        assertEquals("SKZ", session.takeToClientTypes(), "ParameterStatus, pgrouter's key, ReadyForQuery");

        session.clientMessage(session.message(TERMINATE));
        assertEquals(List.of(primary), session.released(), "idle: back to the pool");
        assertEquals("", primary.sentTypes(), "the Terminate is not the server's business");
        session.finish();

        FakeSession next = new FakeSession().pgrouterAuthenticates(true);
        next.start(PrimaryRelay::new);
        next.clientRead(next.query("SELECT 1"));
        next.grant(primary);
        assertEquals(List.of("DISCARD ALL"),
                primary.sentInternally().stream().map(m -> FrontendMessages.queryText(m.buf())).toList(),
                "core resets the connection the last session left its state on");
        assertEquals(List.of("SELECT 1"), primary.sent().stream().map(m -> FrontendMessages.queryText(m.buf())).toList());
        next.takeToClientTypes(); // the greeting
        primary.serverRead(next.commandComplete("DISCARD ALL"), next.readyForQuery(BackendMessages.IDLE));
        assertEquals("", next.toClientTypes(), "DISCARD ALL's answers are not the client's");
        primary.serverRead(next.commandComplete("SELECT 1"), next.readyForQuery(BackendMessages.IDLE));
        assertEquals("CZ", next.toClientTypes());
        next.finish();
    }

    @Test
    void aPooledPrimaryInATransactionIsClosedNotReleased() {
        session.pgrouterAuthenticates(true).start(PrimaryRelay::new);
        FakeBackend primary = session.grant();
        session.clientRead(session.query("BEGIN"));
        primary.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.clientMessage(session.message(TERMINATE));
        assertEquals(List.of(), session.released(), "a transaction is open: not for another client");
        assertEquals("QX", primary.sentTypes(), "the Terminate ends the server's session");
        session.finish();
        assertTrue(primary.closedByPipeline());
    }

    @Test
    void aPooledPrimaryIsNotReleasedWhileARequestIsUnanswered() {
        session.pgrouterAuthenticates(true).start(PrimaryRelay::new);
        FakeBackend primary = session.grant();
        session.clientRead(session.query("SELECT pg_sleep(10)"));
        session.clientGone();
        assertEquals(List.of(), session.released());
        assertTrue(primary.closedByPipeline());
        session.finish();
    }

    @Test
    void losingThePrimaryFailsTheSessionWith08006() {
        session.start(PrimaryRelay::new);
        FakeBackend primary = session.grant();
        primary.lost(new java.io.IOException("connection reset"));
        assertEquals(SqlState.CONNECTION_FAILURE, session.failure());
        assertTrue(session.stopped());
        session.finish();
    }

    @Test
    void aPrimaryThatSaidWhyBeforeClosingIsTheAnswer() {
        session.start(PrimaryRelay::new);
        FakeBackend primary = session.grant();
        primary.serverRead(BackendMessages.errorResponse(session.alloc(), "FATAL", SqlState.ADMIN_SHUTDOWN, "bye"));
        primary.lost(null);
        assertNull(session.failure(), "the client has the FATAL already");
        assertTrue(session.closed());
        assertEquals("E", session.toClientTypes());
        session.finish();
    }

    @Test
    void noPrimaryMeansCoreToldTheClient() {
        session.start(PrimaryRelay::new);
        session.clientRead(session.query("SELECT 1"));
        session.refuse(SqlState.CANNOT_CONNECT_NOW, "no primary");
        assertEquals(SqlState.CANNOT_CONNECT_NOW, session.failure());
        assertFalse(session.toClientTypes().contains("E"), "the pipeline adds nothing of its own");
        session.finish(); // the queued query was released at stop
    }
}
