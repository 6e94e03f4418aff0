package io.pgrouter.pipeline.session;

import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.TERMINATE;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one client session to the primary; from the login on every message passes through
 * untouched in both directions.
 *
 * <p>When the primary authenticates the client, the client's StartupMessage goes to it as it
 * came, on a connection of its own. When pgrouter authenticated the client, the session takes a
 * primary connection from its worker's pool (PgBouncer's session pooling): a connection another
 * client left is reset by core ({@code DISCARD ALL}) before it serves, and given back when this
 * client leaves with nothing open on it (as core sees it); otherwise it is closed.
 */
final class PrimaryRelay implements SessionPipeline {
    private static final Logger log = LoggerFactory.getLogger(PrimaryRelay.class);

    private final Session session;
    private Backend primary;
    private boolean stopped;
    private boolean clientTerminated;
    /** The last message relayed from the primary was an ErrorResponse (it may have said FATAL). */
    private boolean lastFromPrimaryWasError;

    private final boolean pooled;
    /** The client's login was ended from the pool's remembered greeting, before a connection. */
    private boolean greeted;

    PrimaryRelay(Session session) {
        this.session = session;
        this.pooled = session.authenticatedByPgrouter();
        if (pooled) {
            // Greeted from the pool when core knows this login: a full pool then holds up the
            // client's first statement, not its login (a client that logs in many sessions one
            // after another, as pgbench -C does, is never stuck in a login).
            greeted = session.greetClientFromPool();
            acquire();
        } else {
            // On failure pgrouter has already told the client (57P03 or 08006).
            session.relayToPrimary().thenAccept(this::onConnected);
        }
    }

    private void acquire() {
        session.acquirePrimary().whenComplete((b, error) -> {
            if (error != null) {
                return; // pgrouter has told the client why (57P03, 08006, the primary's error)
            }
            if (!greeted) {
                session.greetClient(b);
            }
            onConnected(b);
        });
    }

    /** Nothing open on the pooled connection: it may serve another client after a reset. */
    private boolean reusable() {
        return pooled && primary != null && primary.isOpen() && primary.isIdle();
    }

    private void giveBack() {
        Backend b = primary;
        primary = null;
        session.release(b, Session.Leftover.SESSION_STATE); // core resets it before its next session
    }

    private void onConnected(Backend connected) {
        if (stopped) {
            connected.close();
            return;
        }
        primary = connected;
        session.routedAll(connected, Routed.WRITE); // everything goes to the primary, unread: core counts it
        log.debug("session {}: relaying to primary {}", session.id(), connected.address());
        session.resumeClient(); // what the client sent before the primary was up

    }

    /** A Terminate gives a pooled connection with nothing open back; anything else is relayed. */
    @Override
    public void client(ByteBuf message) {
        if (Messages.type(message) != TERMINATE) {
            clientMessages(message); // a run of one
            return;
        }
        if (pooled && reusable()) {
            message.release();
            giveBack();
        } else {
            relay(message);
        }
        clientTerminated = true;
        session.close();
    }

    /**
     * One read's messages, relayed in one write. A Terminate among them takes the careful way,
     * one message at a time.
     */
    @Override
    public void clientMessages(ByteBuf messages) {
        if (Messages.contains(messages, TERMINATE)) {
            SessionPipeline.super.clientMessages(messages);
            return;
        }
        relay(messages);
    }

    private void relay(ByteBuf messages) {
        if (primary == null) {
            session.holdClient(messages); // core keeps them until the primary is up
        } else {
            primary.send(messages);
        }
    }

    /** One read's messages from the primary, relayed in one write; whether the last was an error is noted. */
    @Override
    public void serverMessages(Backend backend, ByteBuf messages) {
        byte type = 0;
        for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
            type = messages.getByte(at);
        }
        lastFromPrimaryWasError = type == ERROR_RESPONSE;
        session.toClient(messages);
    }

    @Override
    public void server(Backend backend, ByteBuf message) {
        serverMessages(backend, message); // a run of one
    }

    @Override
    public void cancel() {
        // Core keeps the primary's own key (the client holds pgrouter's, given it by core).
        if (primary != null && primary.processId() != 0) {
            session.sendCancel(primary.address(), primary.processId(), primary.secretKey());
        }
    }

    @Override
    public void backendClosed(Backend backend, Throwable cause) {
        if (stopped || clientTerminated) {
            return;
        }
        if (lastFromPrimaryWasError) {
            // The primary said why (a FATAL, e.g. a failed login or a shutdown): that is the answer.
            session.close();
            return;
        }
        log.warn("session {}: lost the primary {}{}", session.id(), backend.address(),
                cause == null ? "" : ": " + cause);
        session.fail(SqlState.CONNECTION_FAILURE, "pgrouter: lost the connection to the primary " + backend.address());
    }

    @Override
    public void stop() {
        stopped = true;
        if (reusable()) {
            giveBack(); // the client went without a Terminate, but left nothing open
        } else if (primary != null && primary.isOpen()) {
            primary.close();
        }
    }
}
