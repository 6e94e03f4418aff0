package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARAMETER_STATUS;
import static io.pgrouter.spi.protocol.MessageType.Backend.READY_FOR_QUERY;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
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
 * is given it reset by core ({@code DISCARD ALL}) when this one left state on it (PgBouncer's
 * session pooling).
 *
 * <p>Once logged in, the loss of the connection does not end the session here: a FATAL the
 * primary sends is kept from the client, a statement in flight gets an ERROR (and its
 * ReadyForQuery) so that the client's connection stays usable, and the {@link LossListener}
 * decides (see {@link Failover}). Until {@link #moved} hands over a new connection, what the
 * session sends the primary waits here, in order.
 */
final class PrimaryLink {
    private static final Logger log = LoggerFactory.getLogger(PrimaryLink.class);

    /** Told when the logged-in primary connection is gone. */
    interface LossListener {
        /**
         * @param inTransaction the client's transaction block was open on it
         * @param announced a statement was in flight and got an error: the client knows
         */
        void lost(Failover.Loss loss, boolean inTransaction, boolean announced);
    }

    /**
     * A message for the primary while there is none: sent to the next one, in order; {@code kind}
     * counts the request it ends there (null: it ends none, or it is pgrouter's own).
     */
    private record Waiting(ByteBuf message, boolean internal, Routed kind) {
    }

    private final Session session;
    private final Runnable onReady;
    private Backend primary;
    private byte transactionStatus = BackendMessages.IDLE;
    private int outstanding;
    private boolean standardStrings = true;
    /** A statement that may write is in flight: its ReadyForQuery marks the session's last write. */
    private boolean writeInFlight;
    private boolean lastWasError;
    /** The transaction the primary runs was begun READ ONLY and nothing since could write. */
    private boolean readOnlyTransaction;
    private boolean terminated;
    private boolean stopped;
    private final boolean pooled;
    /** This session sent the pooled connection something (beyond a reset) that may leave state. */
    private boolean dirtied;
    /** Requests (Query, Sync, FunctionCall) sent and answered by a ReadyForQuery, counted from 1. */
    private long requestsSent;
    private long requestsAnswered;
    private final WritePositions positions;
    /** The client's login is over (a ReadyForQuery came): from now on a lost connection may be replaced. */
    private boolean loggedIn;
    /** A FATAL the primary sent after the login, kept from the client (the session may move). */
    private String lastWordsCode;
    private String lastWords;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private LossListener lossListener;

    /**
     * @param onReady run when the primary is connected, and when a ReadyForQuery held for a write's
     *     position went to the client: client messages waiting may go on
     * @param learned told the position of each write (or that it could not be learned)
     */
    PrimaryLink(Session session, Runnable onReady, WritePositions.Listener learned) {
        this.session = session;
        this.onReady = onReady;
        this.pooled = session.authenticatedByPgrouter();
        this.positions = new WritePositions(session, learned, onReady);
    }

    /** Who decides what happens when the primary connection is lost after the login. */
    void onLoss(LossListener listener) {
        this.lossListener = listener;
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
        standardStrings = !"off".equals(b.parameters().get("standard_conforming_strings"));
        session.greetClient(b);
        primary = b; // reset by core if the last session left its state on it
        loggedIn = true;
        connected(b);
    }

    private void connected(Backend connected) {
        if (stopped) {
            connected.close();
            return;
        }
        primary = connected;
        session.resumeClient(); // what the client sent before the primary was up, held by core
        onReady.run();
    }

    /** {@code kind}: how the client request the messages end counts; null when they end none. */
    private void toPrimary(ByteBuf messages, Routed kind) {
        dirtied = true;
        if (stopped) {
            messages.release(); // the session ended on the way here (it could not move, say)
        } else if (primary == null) {
            waiting.add(new Waiting(messages, false, kind));
        } else {
            primary.send(messages);
            if (kind != null) {
                session.routed(primary, kind);
            }
        }
    }

    /**
     * A new primary connection after a failover, the session's state replayed on it: what waited
     * goes there now.
     */
    void moved(Backend b) {
        primary = b;
        dirtied = true;
        String strings = b.parameters().get("standard_conforming_strings");
        if (strings != null) {
            standardStrings = !"off".equals(strings);
        }
        while (!waiting.isEmpty()) {
            Waiting w = waiting.poll();
            if (w.internal()) {
                b.sendInternal(w.message());
            } else {
                b.send(w.message());
                if (w.kind() != null) {
                    session.routed(b, w.kind());
                }
            }
        }
        onReady.run();
    }

    /** Whether the session's primary connection goes to this address (false while moving). */
    boolean isOn(Endpoint address) {
        return primary != null && primary.address().equals(address);
    }

    /** Nothing is open or in flight on the primary connection: the session could move now. */
    boolean quiet() {
        return primary != null && transactionStatus == BackendMessages.IDLE && outstanding() == 0
                && !positions.coming() && waiting.isEmpty();
    }

    /**
     * Leaves a primary connection that still works for the new primary the cluster names (a
     * switchover the connection survived): it is closed, and the session moves as after a loss.
     */
    void leaveForNewPrimary(Endpoint newPrimary) {
        Backend old = primary;
        primary = null;
        old.close();
        lossListener.lost(new Failover.Loss(old.address(), SqlState.CONNECTION_FAILURE,
                "the cluster's primary is now " + newPrimary), false, false);
    }

    /** Nothing open on a pooled connection, as core sees it: it may serve another session after a reset. */
    private boolean reusable() {
        return pooled && primary != null && primary.isOpen() && primary.isIdle();
    }

    private void giveBack() {
        Backend b = primary;
        primary = null;
        // A session that only read (from replicas) left the primary connection as it found it:
        // the next one need not reset it, which saves a round trip per client under -C.
        session.release(b, dirtied ? Session.Leftover.SESSION_STATE : Session.Leftover.NOTHING);
    }

    /** The session has (or had, and is moving from) a primary connection: client messages may be routed. */
    boolean isConnected() {
        return primary != null || loggedIn;
    }

    boolean owns(Backend backend) {
        return backend == primary;
    }

    /** A client message that came before the primary connection: core holds it (and what follows) until then. */
    void queueBeforeConnect(ByteBuf message) {
        session.holdClient(message);
    }

    /** The primary's last transaction status: {@link BackendMessages#IDLE}, ... */
    byte transactionStatus() {
        return transactionStatus;
    }

    /** Requests not answered yet, as the client sees them (a ReadyForQuery held for a position counts). */
    int outstanding() {
        return outstanding + positions.holding();
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
        send(message, expectsReady, mayWrite, false);
    }

    /**
     * @param learnPosition the request commits a write (autocommit, or COMMIT of a transaction
     *     that wrote): the position query is pipelined behind it, and its ReadyForQuery held until
     *     the answer (see {@link WritePositions})
     */
    void send(ByteBuf message, boolean expectsReady, boolean mayWrite, boolean learnPosition) {
        send(message, expectsReady ? Routed.WRITE : null, mayWrite, learnPosition);
    }

    /**
     * A read the primary runs instead of a replica: no replica would do ({@link Routed#READ}), or
     * a replica refused it ({@link Routed#RETRIED}). Counted so, not as the primary's own.
     */
    void sendRead(ByteBuf request, Routed kind, boolean mayWrite) {
        send(request, kind, mayWrite, false);
    }

    /** {@code kind}: the message ends a client request (it expects a ReadyForQuery), counted so; else null. */
    private void send(ByteBuf message, Routed kind, boolean mayWrite, boolean learnPosition) {
        boolean expectsReady = kind != null;
        if (expectsReady) {
            outstanding++;
            requestsSent++;
        }
        writeInFlight |= mayWrite || inWritableTransaction();
        toPrimary(message, kind);
        if (learnPosition && expectsReady && primary != null) {
            positions.askAfter(primary, requestsSent);
        }
    }

    /**
     * After a write completed: asks for its position unless a query pipelined behind it will
     * tell (the ParameterStatus then follows the ReadyForQuery).
     */
    void learnPositionUnlessComing() {
        if (!positions.coming() && primary != null && primary.isOpen()) {
            positions.askNow(primary);
        }
    }

    /**
     * Sends a message pgrouter needs run on the idle primary (a Parse and Sync mirroring one a
     * replica transaction ran); core consumes its answers.
     */
    void sendSilently(ByteBuf messageAndSync) {
        dirtied = true;
        if (stopped) {
            messageAndSync.release();
        } else if (primary == null) {
            waiting.add(new Waiting(messageAndSync, true, null));
        } else {
            primary.sendInternal(messageAndSync);
        }
    }

    /** What {@link #forwardWhole} did with a batch from the primary. */
    enum Whole {
        /** Nothing: the batch needs a look message by message ({@link #fromPrimary}). */
        NO,
        /** Passed on in one write. */
        FORWARDED,
        /** Passed on in one write, and its ReadyForQuery ended a write. */
        FORWARDED_AFTER_WRITE
    }

    /**
     * A batch from the primary passed to the client in one write when nothing in it needs a look
     * of its own: a {@link PlainAnswer} ending in its ReadyForQuery, which no position query waits
     * behind. The common answer (RowDescription, DataRows, CommandComplete, ReadyForQuery) goes
     * this way. Reads nothing but the types and the transaction status; consumes nothing when it
     * answers {@link Whole#NO}.
     */
    Whole forwardWhole(ByteBuf messages) {
        if (!loggedIn) {
            return Whole.NO;
        }
        int ready = PlainAnswer.readyAt(messages);
        if (ready < 0 || (outstanding > 0 && positions.holds(requestsAnswered + 1))) {
            return Whole.NO;
        }
        lastWasError = false;
        boolean wrote = ready(BackendMessages.transactionStatus(messages, ready));
        session.toClient(messages);
        return wrote ? Whole.FORWARDED_AFTER_WRITE : Whole.FORWARDED;
    }

    /** A ReadyForQuery's bookkeeping: a request answered, and whether that ended a write. */
    private boolean ready(byte status) {
        loggedIn = true;
        transactionStatus = status;
        if (outstanding > 0) {
            outstanding--;
            requestsAnswered++;
        }
        if (writeInFlight && outstanding == 0 && transactionStatus == BackendMessages.IDLE) {
            writeInFlight = false;
            return true;
        }
        return false;
    }

    /** Relays a primary message to the client; true when it completed a statement that may have written. */
    boolean fromPrimary(ByteBuf m) {
        int at = m.readerIndex();
        byte type = m.getByte(at);
        lastWasError = type == ERROR_RESPONSE;
        if (lastWasError && loggedIn && BackendMessages.isFatal(m)) {
            // The connection ends next: whether the client hears of it depends on what the session can do.
            lastWordsCode = BackendMessages.sqlState(m);
            lastWords = BackendMessages.message(m);
            m.release();
            return false;
        }
        boolean wrote = false;
        if (type == PARAMETER_STATUS && BackendMessages.isParameter(m, "standard_conforming_strings")) {
            String value = BackendMessages.parameterValue(m);
            if (value != null) {
                standardStrings = value.equals("on");
            }
        } else if (type == READY_FOR_QUERY) {
            boolean answersRequest = outstanding > 0;
            wrote = ready(BackendMessages.transactionStatus(m));
            if (answersRequest && positions.hold(requestsAnswered, m)) {
                return wrote; // until the position query behind it answers
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
        } else if (primary == null) {
            terminateMessage.release(); // moving: there is no primary connection to end
        } else {
            send(terminateMessage, false);
        }
        terminated = true;
        session.close();
    }

    void cancel() {
        // Core keeps the primary's own key (the client holds pgrouter's, given it by core).
        if (primary != null && primary.processId() != 0) {
            session.sendCancel(primary.address(), primary.processId(), primary.secretKey());
        }
    }

    void closed(Backend backend, Throwable cause) {
        if (stopped || terminated || backend != primary) {
            return; // a connection left for a new primary, say
        }
        if (loggedIn) {
            lost(cause);
            return;
        }
        if (lastWasError) {
            session.close(); // the primary said why, in a FATAL the client already has
            return;
        }
        log.warn("session {}: lost the primary {}{}", session.id(), backend.address(), cause == null ? "" : ": " + cause);
        session.fail(SqlState.CONNECTION_FAILURE, "pgrouter: lost the connection to the primary " + backend.address());
    }

    /**
     * The logged-in connection is gone: a statement in flight gets an ERROR (not the FATAL: the
     * client's connection lives on) with its ReadyForQuery, and the listener decides the rest.
     */
    private void lost(Throwable cause) {
        Endpoint from = primary.address();
        primary = null;
        String code = lastWordsCode != null && !lastWordsCode.isEmpty() ? lastWordsCode : SqlState.CONNECTION_FAILURE;
        String words = lastWords != null ? lastWords : cause != null ? cause.toString() : "the connection closed";
        boolean inTransaction = transactionStatus != BackendMessages.IDLE;
        int unanswered = outstanding;
        log.warn("session {}: lost the primary {} ({}){}", session.id(), from, words,
                unanswered > 0 ? " with " + unanswered + " request(s) in flight" : "");
        outstanding = 0;
        transactionStatus = BackendMessages.IDLE;
        writeInFlight = false;
        readOnlyTransaction = false;
        lastWords = null;
        lastWordsCode = null;
        for (int i = 0; i < unanswered; i++) {
            if (i == 0) {
                session.toClient(BackendMessages.errorResponse(session.alloc(), "ERROR", code, "pgrouter: lost the "
                        + "primary " + from + " during this statement (" + words + "); it may or may not have run"));
            }
            session.toClient(BackendMessages.readyForQuery(session.alloc(),
                    inTransaction ? BackendMessages.FAILED_TRANSACTION : BackendMessages.IDLE));
        }
        lossListener.lost(new Failover.Loss(from, code, words), inTransaction, unanswered > 0);
    }

    void stop() {
        stopped = true;
        while (!waiting.isEmpty()) {
            waiting.poll().message().release();
        }
        positions.stop();
        if (reusable()) {
            giveBack(); // the client went without a Terminate, but left nothing open
        } else if (primary != null && primary.isOpen()) {
            primary.close();
        }
    }
}
