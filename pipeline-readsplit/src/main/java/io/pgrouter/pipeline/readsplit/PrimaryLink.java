package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.BACKEND_KEY_DATA;
import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.NOTICE_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.NOTIFICATION_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARAMETER_STATUS;
import static io.pgrouter.spi.protocol.MessageType.Backend.READY_FOR_QUERY;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.IdleTracker;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readsplit session's primary connection: relays the client's startup and authentication,
 * gives the client pgrouter's cancel key, and tracks what routing needs from the primary's
 * answers (transaction status, statements in flight, standard_conforming_strings, writes).
 *
 * <p>When pgrouter authenticated the client, the connection comes from the worker's pool and
 * goes back to it when the client leaves with nothing open on it; the next session that takes it
 * resets it with {@code DISCARD ALL} first (PgBouncer's session pooling).
 */
final class PrimaryLink {
    private static final Logger log = LoggerFactory.getLogger(PrimaryLink.class);
    /** Marks a pooled connection a session has used (primary or replica): the next one resets it. */
    static final Object USED = new Object();

    private final Session session;
    private final Runnable onReady;
    private final ArrayDeque<ByteBuf> beforeConnect = new ArrayDeque<>();
    private Backend primary;
    private int processId;
    private int secretKey;
    private byte transactionStatus = BackendMessages.IDLE;
    private int outstanding;
    private boolean standardStrings = true;
    /** A statement that may write is in flight: its ReadyForQuery marks the session's last write. */
    private boolean writeInFlight;
    private boolean lastWasError;
    /** Answers (up to ReadyForQuery) the primary owes for messages pgrouter sent on its own. */
    private int swallow;
    /** The transaction the primary runs was begun READ ONLY and nothing since could write. */
    private boolean readOnlyTransaction;
    private boolean terminated;
    private boolean stopped;
    private final boolean pooled;
    /** Whether the pooled connection has nothing open: it may then serve another session. */
    private final IdleTracker state = new IdleTracker();
    /** A Terminate went to the server: the connection ends whatever else holds. */
    private boolean ended;
    /** This session sent the pooled connection something (beyond a reset) that may leave state. */
    private boolean dirtied;

    PrimaryLink(Session session, Runnable onReady) {
        this.session = session;
        this.onReady = onReady;
        this.pooled = session.authenticatedByPgrouter();
    }

    /**
     * Connects, once the session is built: a pooled connection may be handed over at once, and
     * {@code onReady} then runs before this returns.
     */
    void start() {
        // On failure pgrouter has already told the client (57P03 or 08006).
        if (pooled) {
            session.acquirePrimary().thenAccept(this::acquired);
        } else {
            session.relayToPrimary().thenAccept(this::connected);
        }
    }

    /** A pooled connection: the client learns the primary's parameters and pgrouter's key from us. */
    private void acquired(Backend b) {
        if (stopped) {
            session.release(b); // as idle as it came
            return;
        }
        boolean used = b.attachment() == USED;
        b.attachment(null);
        processId = b.processId();
        secretKey = b.secretKey();
        standardStrings = !"off".equals(b.parameters().get("standard_conforming_strings"));
        session.greetClient(b);
        primary = b;
        if (used) {
            sendSilently(FrontendMessages.query(session.alloc(), "DISCARD ALL")); // the client's messages queue behind it
            dirtied = false; // as clean as a new connection once that has run
        }
        connected(b);
    }

    private void connected(Backend connected) {
        if (stopped) {
            connected.close();
            return;
        }
        primary = connected;
        while (!beforeConnect.isEmpty()) {
            toPrimary(beforeConnect.poll());
        }
        onReady.run();
    }

    private void toPrimary(ByteBuf messages) {
        if (pooled) {
            state.sent(messages);
            ended |= Messages.contains(messages, MessageType.Frontend.TERMINATE); // the server is leaving: never pool it
            dirtied = true;
        }
        primary.send(messages);
    }

    /** Nothing open on a pooled connection: it may serve another session after a reset. */
    private boolean reusable() {
        return pooled && primary != null && primary.isOpen() && state.idle() && swallow == 0 && !ended;
    }

    private void giveBack() {
        Backend b = primary;
        primary = null;
        // A session that only read (from replicas) left the primary connection as it found it:
        // the next one need not reset it, which saves a round trip per client under -C.
        b.attachment(dirtied ? USED : null);
        session.release(b);
    }

    boolean isConnected() {
        return primary != null;
    }

    boolean owns(Backend backend) {
        return backend == primary;
    }

    void queueBeforeConnect(ByteBuf message) {
        beforeConnect.add(message);
    }

    /** The primary's last transaction status: {@link BackendMessages#IDLE}, ... */
    byte transactionStatus() {
        return transactionStatus;
    }

    int outstanding() {
        return outstanding;
    }

    boolean standardStrings() {
        return standardStrings;
    }

    /** Whether the primary's transaction is a read-only one: it does not hold the session's reads back. */
    void readOnlyTransaction(boolean readOnly) {
        readOnlyTransaction = readOnly;
    }

    /** In a transaction that may write: what runs in it counts as a write (read-your-writes). */
    boolean inWritableTransaction() {
        return transactionStatus != BackendMessages.IDLE && !readOnlyTransaction;
    }

    void send(ByteBuf message, boolean expectsReady) {
        send(message, expectsReady, false);
    }

    /**
     * @param expectsReady the message ends in a ReadyForQuery (Query, Sync, FunctionCall)
     * @param mayWrite the statement may write: reads wait for replicas to replay it
     */
    void send(ByteBuf message, boolean expectsReady, boolean mayWrite) {
        if (expectsReady) {
            outstanding++;
        }
        writeInFlight |= mayWrite || inWritableTransaction();
        toPrimary(message);
    }

    /**
     * Sends a message pgrouter needs run on the idle primary (a Parse and Sync mirroring one a
     * replica transaction ran); its answers, up to ReadyForQuery, are swallowed.
     */
    void sendSilently(ByteBuf messageAndSync) {
        swallow++;
        toPrimary(messageAndSync);
    }

    /** Relays a primary message to the client; true when it completed a statement that may have written. */
    boolean fromPrimary(ByteBuf m) {
        int at = m.readerIndex();
        byte type = m.getByte(at);
        if (pooled) {
            state.received(m);
        }
        if (swallow > 0 && type != PARAMETER_STATUS && type != NOTIFICATION_RESPONSE && type != NOTICE_RESPONSE) {
            if (type == READY_FOR_QUERY) {
                swallow--;
            } else if (type == ERROR_RESPONSE) {
                log.debug("session {}: a statement mirrored on the primary failed: {}", session.id(),
                        BackendMessages.sqlState(m));
            }
            m.release();
            return false;
        }
        lastWasError = type == ERROR_RESPONSE;
        boolean wrote = false;
        if (type == BACKEND_KEY_DATA && m.readableBytes() == 13) {
            processId = m.getInt(at + 5);
            secretKey = m.getInt(at + 9);
            m.setInt(at + 5, session.processId());
            m.setInt(at + 9, session.secretKey());
        } else if (type == PARAMETER_STATUS && BackendMessages.isParameter(m, "standard_conforming_strings")) {
            String value = BackendMessages.parameterValue(m);
            if (value != null) {
                standardStrings = value.equals("on");
            }
        } else if (type == READY_FOR_QUERY) {
            transactionStatus = BackendMessages.transactionStatus(m);
            outstanding = Math.max(0, outstanding - 1);
            if (writeInFlight && outstanding == 0 && transactionStatus == BackendMessages.IDLE) {
                writeInFlight = false;
                wrote = true;
            }
        }
        session.toClient(m);
        return wrote;
    }

    /** The client's Terminate: the connection goes back to the pool if it can, else it is told to end. */
    void terminate(ByteBuf terminateMessage) {
        if (reusable()) {
            terminateMessage.release();
            giveBack();
        } else {
            send(terminateMessage, false);
        }
        terminated = true;
        session.close();
    }

    void cancel() {
        if (primary != null && processId != 0) {
            session.sendCancel(primary.address(), processId, secretKey);
        }
    }

    void closed(Backend backend, Throwable cause) {
        if (stopped || terminated) {
            return;
        }
        if (lastWasError) {
            session.close(); // the primary said why, in a FATAL the client already has
            return;
        }
        log.warn("session {}: lost the primary {}{}", session.id(), backend.address(), cause == null ? "" : ": " + cause);
        session.fail(SqlState.CONNECTION_FAILURE, "pgrouter: lost the connection to the primary " + backend.address());
    }

    void stop() {
        stopped = true;
        while (!beforeConnect.isEmpty()) {
            beforeConnect.poll().release();
        }
        if (reusable()) {
            giveBack(); // the client went without a Terminate, but left nothing open
        } else if (primary != null && primary.isOpen()) {
            primary.close();
        }
    }
}
