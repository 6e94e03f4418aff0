package io.pgrouter.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import org.junit.jupiter.api.Test;

/** The double itself: it records, it defers what core defers, and it catches a leak. */
class FakeSessionTest {
    /** Relays to the primary; forgets (leaks) every client message while {@code leak} is set. */
    private static final class Relay implements SessionPipeline {
        final Session session;
        Backend primary;
        boolean leak;
        int closedCalls;

        Relay(Session session) {
            this.session = session;
            session.relayToPrimary().thenAccept(b -> primary = b);
        }

        @Override
        public void client(ByteBuf message) {
            if (!leak) {
                primary.send(message);
            }
        }

        @Override
        public void server(Backend backend, ByteBuf message) {
            session.toClient(message);
        }

        @Override
        public void backendClosed(Backend backend, Throwable cause) {
            closedCalls++;
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void recordsBothDirectionsAsWholeMessages() {
        FakeSession session = new FakeSession();
        Relay relay = session.start(Relay::new);
        FakeBackend primary = session.grant();
        session.clientRead(FrontendMessages.query(session.alloc(), "SELECT 1"), session.message(MessageType.Frontend.SYNC));
        assertEquals("QS", primary.sentTypes());
        assertEquals("Query SELECT 1|", primary.sent().get(0).toString());
        primary.serverRead(session.message(MessageType.Backend.COMMAND_COMPLETE, "SELECT 1\0"));
        assertEquals("C", session.toClientTypes());
        assertEquals("CommandComplete", session.toClient().get(0).name());
        primary.close();
        assertEquals(1, relay.closedCalls, "backendClosed follows a close by the pipeline");
        session.finish();
    }

    @Test
    void aBackendIsIdleAsCoreWouldJudgeIt() {
        FakeSession session = new FakeSession();
        session.start(Relay::new);
        FakeBackend primary = session.grant();
        assertTrue(primary.isIdle(), "a fresh connection");
        session.clientRead(FrontendMessages.query(session.alloc(), "BEGIN"));
        assertFalse(primary.isIdle(), "a request unanswered");
        primary.serverRead(BackendMessages.readyForQuery(session.alloc(),
                BackendMessages.IN_TRANSACTION));
        assertFalse(primary.isIdle(), "in a transaction");
        session.clientRead(FrontendMessages.query(session.alloc(), "COMMIT"));
        primary.serverRead(BackendMessages.readyForQuery(session.alloc(),
                BackendMessages.IDLE));
        assertTrue(primary.isIdle());
        session.finish();
    }

    @Test
    void finishCatchesABufferNotReleased() {
        FakeSession session = new FakeSession();
        Relay relay = session.start(Relay::new);
        session.grant();
        relay.leak = true;
        session.clientMessage(FrontendMessages.query(session.alloc(), "SELECT 1"));
        AssertionError e = assertThrows(AssertionError.class, session::finish);
        assertTrue(e.getMessage().contains("1 buffer(s) not released"), e.getMessage());
    }
}
