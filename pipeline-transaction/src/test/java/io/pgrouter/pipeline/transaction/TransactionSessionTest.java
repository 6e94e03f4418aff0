package io.pgrouter.pipeline.transaction;

import static io.pgrouter.spi.protocol.MessageType.Backend.BIND_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.CLOSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.TERMINATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transaction pipeline's state machine, message by message, against the fake session. */
class TransactionSessionTest {
    private final FakeSession session = new FakeSession().pgrouterAuthenticates(true);

    /** Starts the session: the first connection greets the client and goes back to the pool at once. */
    private FakeBackend started(FakeSession s) {
        s.start(TransactionSession::new);
        FakeBackend first = s.grant();
        assertEquals("KZ", s.takeToClientTypes(), "pgrouter's key and ReadyForQuery end the login");
        assertEquals(List.of(first), s.released(), "idle after the greeting: back to the pool");
        return first;
    }

    /** Bind of {@code statement} to the unnamed portal, Execute, Sync: one read. */
    private static void bindExecuteSync(FakeSession s, String statement) {
        s.clientRead(FrontendMessages.bind(s.alloc(), "", statement, "1"), s.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(s.alloc()));
    }

    @Test
    void needsPgroutersOwnAuthentication() {
        FakeSession relayed = new FakeSession();
        relayed.start(TransactionSession::new);
        assertEquals(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, relayed.failure());
        assertEquals(List.of(), relayed.requests(), "no connection asked for");
        relayed.finish();
    }

    @Test
    void acquiresOnTheFirstMessageQueuesWhileAcquiringAndReleasesOnlyWhenIdle() {
        FakeBackend pooled = started(session);
        session.clientRead(session.query("BEGIN"));
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertEquals(1, session.requests().size(), "one acquire for both");
        assertTrue(session.holdsClient(), "core holds both until the connection comes");
        session.grant(pooled);
        assertFalse(session.holdsClient());
        assertEquals(List.of(pooled.address() + " all write", pooled.address() + " all write"), session.takeRouted(),
                "each lending (the greeting's, this one) has core count what passes as writes");
        assertEquals(List.of("BEGIN", "INSERT INTO t VALUES (1)"),
                pooled.sent().stream().map(m -> FrontendMessages.queryText(m.buf())).toList(), "in order");

        pooled.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        pooled.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        assertEquals("CZCZ", session.takeToClientTypes());
        assertEquals(List.of(), session.released(), "'T': the transaction holds the connection");

        session.clientRead(session.query("COMMIT"));
        assertEquals(List.of(), session.requests(), "the connection is still the session's");
        pooled.serverRead(session.commandComplete("COMMIT"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(pooled), session.released(), "'I' with nothing unanswered: back to the pool");
        session.finish();
    }

    @Test
    void anIdleReadyForQueryWithARequestUnansweredKeepsTheConnection() {
        FakeBackend pooled = started(session);
        session.clientRead(session.query("SELECT 1"), session.query("SELECT 2"));
        session.grant(pooled);
        pooled.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(), session.released(), "SELECT 2 is still running");
        pooled.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(pooled), session.released());
        assertEquals("CZCZ", session.toClientTypes());
        session.finish();
    }

    @Test
    void aTerminateEndsTheSessionWithoutAConnection() {
        started(session);
        session.clientMessage(session.message(TERMINATE));
        assertTrue(session.closed());
        assertEquals(List.of(), session.requests());
        session.finish();
    }

    @Test
    void losingTheConnectionMidTransactionFailsTheSessionWith08006() {
        FakeBackend pooled = started(session);
        session.clientRead(session.query("BEGIN"));
        session.grant(pooled);
        pooled.lost(null);
        assertEquals(SqlState.CONNECTION_FAILURE, session.failure());
        session.finish();
    }

    /** Parses S_1 on {@code on} (a Parse and Sync) and lets it go back to the pool. */
    private static byte[] parseS1(FakeSession s, FakeBackend on, String sql) {
        ByteBuf parse = FrontendMessages.parse(s.alloc(), "S_1", sql);
        byte[] bytes = ByteBufUtil.getBytes(parse);
        s.clientRead(parse, FrontendMessages.sync(s.alloc()));
        s.grant(on);
        assertEquals("PS", on.takeSentTypes());
        on.serverRead(s.message(PARSE_COMPLETE), s.readyForQuery(BackendMessages.IDLE));
        assertEquals("1Z", s.takeToClientTypes());
        assertEquals(List.of(on), s.released());
        return bytes;
    }

    @Test
    void aPreparedStatementIsParsedAgainOnAnotherConnectionUnseen() {
        FakeBackend first = started(session);
        byte[] parse = parseS1(session, first, "SELECT $1");

        FakeBackend other = session.newBackend(FakeSession.PRIMARY); // a fresh connection this time
        bindExecuteSync(session, "S_1");
        session.grant(other);
        assertEquals("PBES", other.sentTypes(), "the client's Parse first");
        assertArrayEquals(parse, other.sent().get(0).bytes(), "the same Parse, byte for byte");

        other.serverRead(session.message(PARSE_COMPLETE), session.message(BIND_COMPLETE), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IDLE));
        assertEquals("2CZ", session.toClientTypes(), "the ParseComplete answers pgrouter, not the client");
        assertEquals(List.of(first, other), session.released(), "both connections are back in the pool");
        session.finish();
    }

    @Test
    void anotherClientsS1OnTheConnectionIsClosedAndReplacedUnseen() {
        FakeBackend mine = started(session);
        parseS1(session, mine, "SELECT $1");

        // Another client of the pool left its own S_1 on a second connection.
        FakeSession otherClient = new FakeSession().pgrouterAuthenticates(true);
        FakeBackend shared = started(otherClient);
        parseS1(otherClient, shared, "SELECT $1 + 1");
        otherClient.finish();

        bindExecuteSync(session, "S_1");
        session.grant(shared);
        assertEquals("CPBES", shared.sentTypes(), "Close the stranger's S_1, Parse ours, then the client's group");
        assertEquals("S_1", FrontendMessages.name(shared.sent().get(0).buf()));
        assertEquals("SELECT $1", FrontendMessages.parseText(shared.sent().get(1).buf()));

        shared.serverRead(session.message(CLOSE_COMPLETE), session.message(PARSE_COMPLETE),
                session.message(BIND_COMPLETE), session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("2CZ", session.toClientTypes(), "CloseComplete and ParseComplete kept from the client");
        assertEquals(List.of(mine, shared), session.released());
        session.finish();
    }

    @Test
    void theSameParseOnTheConnectionIsNotSentAgain() {
        FakeBackend pooled = started(session);
        parseS1(session, pooled, "SELECT $1");
        bindExecuteSync(session, "S_1");
        session.grant(pooled);
        assertEquals("BES", pooled.sentTypes(), "the connection holds this very statement");
        pooled.serverRead(session.message(BIND_COMPLETE), session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("2CZ", session.toClientTypes());
        session.finish();
    }
}
