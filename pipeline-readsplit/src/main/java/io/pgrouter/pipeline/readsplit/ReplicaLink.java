package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.BACKEND_KEY_DATA;
import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARAMETER_STATUS;
import static io.pgrouter.spi.protocol.MessageType.Backend.READY_FOR_QUERY;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readsplit session's replica connection. pgrouter logs into a replica when a read first needs
 * one and replays the session's SET/RESET/DISCARD history there; then it runs one read at a
 * time, holding the answer back until it settles (see {@link ReplicaStatement}).
 *
 * <p>A replica never leaves a read unanswered. The read runs on the primary instead when the
 * login fails (refused, closed, rejected), when the replica refuses the statement (25006 and
 * kin), and when the replica reports a FATAL error or goes away before any of its answer reached
 * the client. Once part of the answer was forwarded, the loss of the replica fails the statement
 * (see {@link ReplicaLoss}), and the session goes on.
 */
final class ReplicaLink {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);

    /** Where the link is; each phase's data is in the fields marked with it, empty outside it. */
    private enum Phase {
        /** No replica connection: the next read chooses one and logs in. */
        NO_REPLICA,
        /** Logging in, {@link #login} holding the read that waits for it: client messages wait. */
        LOGGING_IN,
        /** Connected, nothing in flight. */
        IDLE,
        /** Asking how far the replica has replayed before a read runs there; its answer ends it, even after a loss. */
        ASKING_REPLAY,
        /**
         * A read in flight ({@link #read}): its answer held back while it can still run on the
         * primary unseen, or reaching the client once {@link ReplicaStatement#forwarding()} (then
         * it is the replica's, whatever happens).
         */
        READING,
        /** The session ended: a login or an ask still under way only cleans up when it ends. */
        STOPPED
    }

    private final Session session;
    private final PrimaryLink primary;
    private final List<String> sessionState;
    private final Runnable idle;
    private final NamedStatements named;
    /** Where this session counts while it has a replica (from the login to leaving it). */
    private final ReplicaLoad load;
    private final ReplayWait replayWait;
    private final ReplicaLogin login;
    private final ReplicaLoss loss;

    private Phase phase = Phase.NO_REPLICA;
    /** From the login to leaving or losing the replica (which ASKING_REPLAY outlives). */
    private Backend backend;
    /** READING: the read in flight, with the ParseCompletes owed ahead of its answer. */
    private ReplicaStatement read;

    // Facts about the connection, not phases: each outlives the read that set it.
    /** Answers (to ReadyForQuery) owed for statements abandoned to the primary: the next read does not wait for them. */
    private int swallow;
    /** The transaction status of the replica's last ReadyForQuery the client saw: a transaction spans reads. */
    private byte status = BackendMessages.IDLE;
    /** Inside a replica transaction, a Flush sent part of a group: the rest flows until its Sync. */
    private boolean openUnit;
    /** The replica holds the unnamed statement the client parsed last (a read's), for later groups. */
    private boolean unnamed;

    /**
     * @param sessionState the session's SET/RESET/DISCARD commands, replayed after a login
     * @param idle run when the replica has nothing in flight any more (queued client messages go on)
     */
    ReplicaLink(Session session, PrimaryLink primary, List<String> sessionState, NamedStatements named, Runnable idle,
            ReplicaLoad load, ReplayPositions positions, java.time.Duration askAgainAfter) {
        this.session = session;
        this.replayWait = new ReplayWait(session.id(), positions, askAgainAfter);
        this.login = new ReplicaLogin(session);
        this.loss = new ReplicaLoss(session, primary);
        this.load = load;
        this.named = named;
        this.primary = primary;
        this.sessionState = sessionState;
        this.idle = idle;
    }

    /** Logging in, or a read in flight: client messages must wait to keep answers in order. */
    boolean busy() {
        return switch (phase) {
            case LOGGING_IN, ASKING_REPLAY -> true;
            case READING -> !openUnit; // the rest of a group a Flush sent ahead goes on
            case NO_REPLICA, IDLE, STOPPED -> false;
        };
    }

    /** A transaction the client began here (BEGIN READ ONLY) is open: everything it sends goes here until it ends. */
    boolean inTransaction() {
        return backend != null && status != BackendMessages.IDLE;
    }

    /**
     * Sends a client message inside the replica's transaction. Nothing is held back or retried:
     * the transaction lives here, so its answers (errors included) go to the client as they come.
     * {@code namedUsed}: named statements it binds or describes, parsed here first where missing;
     * {@code expectsReady}: it ends in a ReadyForQuery (not so the part of a group a Flush sent ahead).
     */
    void sendInTransaction(ByteBuf message, List<String> namedUsed, boolean parsesUnnamed, boolean expectsReady) {
        if (!readInFlight()) { // else the rest of a group a Flush sent ahead
            startRead(ReplicaStatement.inTransaction());
        }
        openUnit = !expectsReady;
        send(message, parsesUnnamed, namedUsed);
        if (expectsReady) {
            session.routed(backend, Routed.READ); // the transaction lives here: never retried elsewhere
        }
    }

    /** A message inside the replica's transaction that gets no answer of its own (CopyData, say). */
    void forwardInTransaction(ByteBuf message) {
        backend.send(message);
    }

    boolean connected() {
        return backend != null;
    }

    boolean owns(Backend b) {
        return b != null && b == backend;
    }

    Backend backend() {
        return backend;
    }

    /** A login to this replica failed since the watcher last published a snapshot. */
    boolean recentlyFailed(Endpoint address) {
        return login.recentlyFailed(address);
    }

    /** Mirrors a SET/RESET/DISCARD the primary runs; core consumes its answer. */
    void mirror(String command) {
        if (backend != null) {
            backend.sendInternal(FrontendMessages.query(session.alloc(), command));
        }
    }

    /** The client closed a named statement this replica has: close it here too. */
    void closeStatement(String name) {
        if (backend != null) {
            backend.sendInternal(FrontendMessages.writeSync(FrontendMessages.closeStatement(session.alloc(), name)));
        }
    }

    /** The unnamed statement the client parsed last lives here. */
    boolean holdsUnnamed() {
        return unnamed && backend != null;
    }

    /** The client parsed the unnamed statement anew elsewhere (on the primary). */
    void forgetUnnamed() {
        unnamed = false;
    }

    /** Logs into a replica, then runs the read there ({@link #runWhenReplayed}); on the primary if the login fails. */
    void logIn(Endpoint target, ByteBuf request, boolean parsesUnnamed, List<String> namedReads, long required,
            long deadlineNanos, Consumer<ByteBuf> fallback) {
        phase = Phase.LOGGING_IN;
        login.start(target, new ReplicaLogin.PendingRead(request, parsesUnnamed, namedReads, required, deadlineNanos,
                fallback), this::loggedIn);
    }

    /** The login ended: the read that waited runs on the new connection, or on the primary without one. */
    private void loggedIn(ReplicaLogin.PendingRead waiting, Backend b) {
        if (b == null) {
            phase = Phase.NO_REPLICA;
            primary.sendRead(waiting.request(), Routed.READ, false); // core flushes after a failed login completes
        } else {
            phase = Phase.IDLE;
            backend = b;
            replayWait.newConnection();
            load.joined(b.address());
            for (String command : sessionState) {
                mirror(command);
            }
            runWhenReplayed(waiting.required(), waiting.deadlineNanos(), waiting.request(), waiting.parsesUnnamed(),
                    waiting.namedReads(), waiting.fallback()); // required 0: at once
        }
        idle.run();
    }

    /**
     * Runs a read here once this replica has replayed WAL position {@code required}: at once when
     * the shared positions say it has; otherwise the replica is asked (one small query, its answer
     * shared with every session), and asked again every millisecond until
     * {@code deadlineNanos} ({@link System#nanoTime}); a replica still short of it then leaves the
     * read to {@code fallback} (the primary). Client messages wait meanwhile.
     */
    void runWhenReplayed(long required, long deadlineNanos, ByteBuf request, boolean parsesUnnamed,
            List<String> namedReads, Consumer<ByteBuf> fallback) {
        if (replayWait.known(backend.address(), required)) {
            run(request, parsesUnnamed, namedReads);
            return;
        }
        if (replayWait.notWorthAsking(deadlineNanos)) {
            fallback.accept(request);
            return;
        }
        phase = Phase.ASKING_REPLAY;
        Backend asked = backend;
        replayWait.ask(asked, required, deadlineNanos, () -> phase != Phase.STOPPED && backend == asked, outcome -> {
            if (phase == Phase.STOPPED) {
                request.release();
                return;
            }
            phase = backend == null ? Phase.NO_REPLICA : Phase.IDLE;
            if (outcome == ReplayWait.Outcome.REPLAYED) {
                run(request, parsesUnnamed, namedReads);
            } else {
                fallback.accept(request); // lost meanwhile, too
            }
            idle.run();
        });
    }

    /** Runs a read (a Query, or an extended group up to its Sync) on the connected replica (see {@link #send}). */
    void run(ByteBuf request, boolean parsesUnnamed, List<String> namedReads) {
        log.debug("session {}: replica {} <- read", session.id(), backend.address());
        startRead(new ReplicaStatement(request.retainedDuplicate())); // a retry needs no lazy Parse
        send(request, parsesUnnamed, namedReads);
    }

    /**
     * Sends a request of the read; {@code parsesUnnamed}: it parses the unnamed statement (a Query
     * destroys it); {@code namedUsed}: named statements it binds, parsed first where still missing.
     */
    private void send(ByteBuf request, boolean parsesUnnamed, List<String> namedUsed) {
        if (parsesUnnamed) {
            unnamed = true;
        } else if (Messages.type(request) == MessageType.Frontend.QUERY) {
            unnamed = false;
        }
        List<ByteBuf> parses = named.prepareOn(backend, namedUsed);
        read.preparedLazily(parses.size());
        for (ByteBuf parse : parses) {
            backend.send(parse);
        }
        backend.send(request);
    }

    /** A message from the replica. */
    void fromReplica(ByteBuf message) {
        byte type = Messages.type(message);
        if (swallow > 0) {
            swallow(type, message);
            return;
        }
        if (type == PARAMETER_STATUS || type == BACKEND_KEY_DATA || !readInFlight()) {
            message.release(); // the client has the primary's parameters and pgrouter's key
            return;
        }
        ReplicaStatement.Answer answer = read.answer(message, type, status != BackendMessages.IDLE);
        switch (answer) {
            case LAZY_PARSED -> message.release();
            case LAZY_PARSE_FAILED -> {
                log.debug("session {}: a lazy Parse failed on the replica ({}), re-running on the primary",
                        session.id(), BackendMessages.sqlState(message));
                message.release();
                retryOnPrimary(false);
                close(); // its state is unsure
            }
            case REFUSED, GOING_AWAY -> {
                boolean fatal = answer == ReplicaStatement.Answer.GOING_AWAY;
                log.debug("session {}: replica {} ({}), re-running on the primary", session.id(),
                        fatal ? "is going away" : "refused", BackendMessages.sqlState(message));
                message.release();
                swallow++; // whatever the replica still says about it
                retryOnPrimary(!fatal);
            }
            case HELD -> { }
            case SETTLES -> {
                settle();
                forward(type, message);
            }
            case FORWARD -> forward(type, message);
        }
    }

    /** A message of the read's answer, to the client. */
    private void forward(byte type, ByteBuf message) {
        if (type == ERROR_RESPONSE && BackendMessages.isFatal(message)) {
            loss.heard(message); // the session is not over: the client hears of it when the replica closes
            message.release();
        } else {
            toClient(message, type == READY_FOR_QUERY ? message.readerIndex() : PlainAnswer.NO_READY);
        }
    }

    /** Answer messages to the client; {@code readyAt}: where their ReadyForQuery starts, which ends the read. */
    private void toClient(ByteBuf messages, int readyAt) {
        if (readyAt >= 0) {
            ready(BackendMessages.transactionStatus(messages, readyAt));
        }
        session.toClient(messages);
        if (readyAt >= 0) {
            finish();
        }
    }

    /** What the replica still says about a statement abandoned to the primary. */
    private void swallow(byte type, ByteBuf message) {
        if (type == READY_FOR_QUERY) {
            swallow--;
            if (BackendMessages.transactionStatus(message) != BackendMessages.IDLE) {
                // A refused statement had begun a transaction (BEGIN READ ONLY; ...) that
                // the primary now runs instead: end it here.
                backend.sendInternal(FrontendMessages.query(session.alloc(), "ROLLBACK"));
            }
        } else if (type == ERROR_RESPONSE) {
            log.debug("session {}: replayed state failed on the replica: {}", session.id(),
                    BackendMessages.sqlState(message));
        }
        message.release();
    }

    /**
     * What one read brought from the replica, passed to the client in one write when nothing in
     * it needs a look of its own: the answer of the current read, a {@link PlainAnswer}, nothing
     * owed to pgrouter (swallowed answers, lazy ParseCompletes, login leftovers), and something
     * that settles the read (a ReadyForQuery does). The common read's answer (RowDescription,
     * DataRows, CommandComplete, ReadyForQuery) goes this way; anything else message by message
     * ({@link #fromReplica}). False, with nothing consumed, when the batch needs that.
     */
    boolean forwardWhole(ByteBuf messages) {
        if (!readInFlight() || swallow > 0 || read.owesParses()) {
            return false;
        }
        int readyAt = PlainAnswer.readyAt(messages);
        if (readyAt == PlainAnswer.NOT_PLAIN
                || readyAt == PlainAnswer.NO_READY && !read.forwarding() && !ReplicaStatement.settlesAny(messages)) {
            return false;
        }
        if (!read.forwarding()) {
            settle();
        }
        toClient(messages, readyAt);
        return true;
    }

    private boolean readInFlight() {
        return phase == Phase.READING;
    }

    /** A read goes out: its statement holds the answer back, or forwards it as it comes (in a transaction). */
    private void startRead(ReplicaStatement statement) {
        phase = Phase.READING;
        read = statement;
    }

    /** The read's answer starts reaching the client: it is the replica's now, and counts as a read there (once). */
    private void settle() {
        read.startForwarding(session::toClient);
        session.routed(backend, Routed.READ);
    }

    /** The replica's ReadyForQuery, on its way to the client, says this transaction status. */
    private void ready(byte transactionStatus) {
        byte was = status;
        status = transactionStatus;
        openUnit = false;
        if (was != status && (was == BackendMessages.IDLE || status == BackendMessages.IDLE)) {
            log.debug("session {}: replica {} transaction {}", session.id(), backend.address(),
                    status == BackendMessages.IDLE ? "ended" : "began: everything goes there until it ends");
        }
    }

    /** The read is over, answered or abandoned. */
    private void endRead() {
        read.release();
        read = null;
        phase = backend == null ? Phase.NO_REPLICA : Phase.IDLE;
    }

    /** The read's answer reached the client to its end: queued client messages go on. */
    private void finish() {
        endRead();
        idle.run();
    }

    /** Re-runs the replica's statement on the primary. */
    private void retryOnPrimary(boolean mayWrite) {
        ByteBuf query = read.takeQuery();
        endRead();
        primary.sendRead(query, Routed.RETRIED, mayWrite);
        idle.run();
    }

    /** Cancels the read in flight; false when there is none. */
    boolean cancel() {
        if (!readInFlight()) {
            return false;
        }
        session.sendCancel(backend.address(), backend.processId(), backend.secretKey());
        return true;
    }

    /** The replica's connection closed (core flushes after this callback). */
    void closed(Throwable cause) {
        Endpoint address = backend.address();
        boolean inTransaction = status != BackendMessages.IDLE;
        forgetConnection();
        if (inTransaction) {
            if (readInFlight()) {
                endRead();
            }
            loss.duringTransaction(address, cause);
            return;
        }
        if (!readInFlight()) {
            return; // nothing in flight; an ask under way fails, and its answer sends its read to the primary
        }
        if (read.forwarding()) {
            loss.midAnswer(address, cause);
            finish();
        } else {
            log.debug("session {}: lost the replica {} before its answer, re-running on the primary", session.id(),
                    address);
            retryOnPrimary(false); // nothing reached the client: the primary answers instead
        }
    }

    /** What pgrouter knew about the connection goes with it; a read or an ask in flight ends its phase itself. */
    private void forgetConnection() {
        load.left(backend.address());
        backend = null;
        swallow = 0;
        unnamed = false;
        status = BackendMessages.IDLE;
        openUnit = false;
        if (phase == Phase.IDLE) {
            phase = Phase.NO_REPLICA;
        }
    }

    /** Leaves the replica (idle: nothing in flight). */
    void close() {
        if (backend != null) {
            Backend b = backend;
            forgetConnection();
            if (readInFlight()) {
                endRead(); // a Terminate inside the replica's transaction: nothing more comes for it
            }
            b.close();
        }
    }

    /** Leaves the replica as the session ends: a pooled connection with nothing open goes back to the pool. */
    void leave() {
        if (phase == Phase.IDLE && session.authenticatedByPgrouter() && backend.isOpen() && swallow == 0
                && status == BackendMessages.IDLE && !openUnit) {
            Backend b = backend;
            forgetConnection();
            named.leftReplica(b);
            session.release(b, Session.Leftover.SESSION_STATE); // core resets it for the next session
        } else {
            close();
        }
    }

    void stop() {
        switch (phase) {
            case LOGGING_IN -> login.abandon(); // the login's end closes the connection
            case ASKING_REPLAY, READING -> close(); // what the connection is in the middle of is unknown
            case NO_REPLICA, IDLE -> leave();
            case STOPPED -> { }
        }
        phase = Phase.STOPPED;
    }
}
