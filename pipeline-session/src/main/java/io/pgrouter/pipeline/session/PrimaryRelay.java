package io.pgrouter.pipeline.session;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one client session to the primary: the client's StartupMessage goes to the primary
 * as it came, the primary authenticates the client, and from then on every message passes
 * through untouched in both directions.
 */
final class PrimaryRelay implements SessionPipeline {
    private static final Logger log = LoggerFactory.getLogger(PrimaryRelay.class);
    private static final byte TERMINATE = 'X';
    private static final byte ERROR_RESPONSE = 'E';
    private static final byte BACKEND_KEY_DATA = 'K';

    private final Session session;
    /** Client messages that arrived before the primary connection was up. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private Backend primary;
    private boolean stopped;
    private boolean clientTerminated;
    /** The last message relayed from the primary was an ErrorResponse (it may have said FATAL). */
    private boolean lastFromPrimaryWasError;
    /** The primary's own cancel key; the client holds pgrouter's instead. */
    private int primaryProcessId;
    private int primarySecretKey;

    PrimaryRelay(Session session) {
        this.session = session;
        // On failure pgrouter has already told the client (57P03 or 08006).
        session.relayToPrimary().thenAccept(this::onConnected);
    }

    private void onConnected(Backend connected) {
        if (stopped) {
            connected.close();
            return;
        }
        primary = connected;
        log.debug("session {}: relaying to primary {}", session.id(), connected.address());
        while (!pending.isEmpty()) {
            primary.send(pending.poll());
        }
    }

    @Override
    public void client(ByteBuf message) {
        boolean terminate = message.getByte(message.readerIndex()) == TERMINATE;
        if (primary == null) {
            pending.add(message);
        } else {
            primary.send(message);
        }
        if (terminate) {
            clientTerminated = true;
            session.close();
        }
    }

    @Override
    public void server(Backend backend, ByteBuf message) {
        byte type = message.getByte(message.readerIndex());
        lastFromPrimaryWasError = type == ERROR_RESPONSE;
        if (type == BACKEND_KEY_DATA && message.readableBytes() == 13) {
            // Keep the primary's key and give the client pgrouter's: a cancel then comes to us.
            primaryProcessId = message.getInt(message.readerIndex() + 5);
            primarySecretKey = message.getInt(message.readerIndex() + 9);
            message.setInt(message.readerIndex() + 5, session.processId());
            message.setInt(message.readerIndex() + 9, session.secretKey());
        }
        session.toClient(message);
    }

    @Override
    public void cancel() {
        if (primary != null && primaryProcessId != 0) {
            session.sendCancel(primary.address(), primaryProcessId, primarySecretKey);
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
        session.fail("08006", "pgrouter: lost the connection to the primary " + backend.address());
    }

    @Override
    public void stop() {
        stopped = true;
        while (!pending.isEmpty()) {
            pending.poll().release();
        }
        if (primary != null && primary.isOpen()) {
            primary.close();
        }
    }
}
