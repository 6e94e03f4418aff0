package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.SqlState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a readsplit session to a new primary when it loses its own, and ends it when it cannot.
 *
 * <p>The move starts as soon as the loss is noticed, not at the client's next statement: the wait
 * for the new primary then overlaps the client's idle time, reads keep going to replicas
 * meanwhile, and a session that cannot move hears so at once. Every {@link #POLL} the cluster
 * snapshot is read; once it names a primary other than the one lost, pgrouter logs in there,
 * replays the session's state ({@link SessionReplay}), tells the client in a NOTICE and hands
 * the connection to {@link PrimaryLink}, which sends what the client sent meanwhile. The session
 * ends (with the lost primary's own error, or 08006) when {@code failover_wait} passes without a
 * new primary, or at once when it holds state that cannot move ({@link UnmovableState}). A node
 * that stays primary (restarted in place, or a backend an administrator terminated) is not a
 * failover: the session is not reconnected to it.
 */
final class Failover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    /** How often a session without a primary looks at the cluster snapshot. */
    static final Duration POLL = Duration.ofMillis(100);
    /** The default {@code failover_wait}: two rounds of the default health check interval. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    /** Time for the wait: the clock and a delayed task on the session's event loop (a test plays both). */
    interface Timer {
        long nanoTime();

        void after(Duration delay, Runnable task);

        /** The real clock; tasks run on {@code session}'s event loop. */
        static Timer of(Session session) {
            return new Timer() {
                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public void after(Duration delay, Runnable task) {
                    CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS, session.executor())
                            .execute(task);
                }
            };
        }
    }

    /** Why the primary connection went: the primary's last words (its FATAL), or the connection's end. */
    record Loss(Endpoint primary, String sqlState, String words) {
    }

    /** Where the session is with its primary. */
    sealed interface State {
    }

    /** The primary connection serves the session. */
    record Attached() implements State {
    }

    /**
     * No primary connection: looking for a new primary until {@code deadline} ({@link Timer#nanoTime});
     * {@code refusal}: why the last login to one failed, if one did.
     */
    record Waiting(Loss loss, long deadline, Optional<String> refusal) implements State {
    }

    /** Logging in to the new primary at {@code target}. */
    record Connecting(Loss loss, long deadline, Endpoint target) implements State {
    }

    /** The session is over. */
    record Ended() implements State {
    }

    private static final State ATTACHED = new Attached();

    private final Session session;
    private final PrimaryLink primary;
    private final SessionReplay replay;
    private final UnmovableState unmovable;
    private final Duration wait;
    private final Timer timer;
    private final FailoverCounts counts;
    private State state = ATTACHED;

    Failover(Session session, PrimaryLink primary, SessionReplay replay, UnmovableState unmovable, Duration wait,
            Timer timer, FailoverCounts counts) {
        this.session = session;
        this.primary = primary;
        this.replay = replay;
        this.unmovable = unmovable;
        this.wait = wait;
        this.timer = timer;
        this.counts = counts;
    }

    State state() {
        return state;
    }

    boolean attached() {
        return state instanceof Attached;
    }

    /** The primary the snapshot names, when it is another than {@code lost}. */
    private Optional<Endpoint> newPrimary(Endpoint lost) {
        return session.cluster().primary().map(BackendState::address).filter(a -> !a.equals(lost));
    }

    /** The primary connection is gone (closed, or left for a new primary): move, or end the session. */
    void lost(Loss loss) {
        if (state instanceof Ended) {
            return;
        }
        Optional<String> pinned = unmovable.reason();
        if (pinned.isPresent()) {
            end(SqlState.CONNECTION_FAILURE, "pgrouter: the primary " + loss.primary() + " went away ("
                    + loss.words() + ") and this session had " + pinned.get() + ", which cannot move to another server");
            return;
        }
        if (wait.isZero()) {
            end(loss.sqlState(), "pgrouter: lost the connection to the primary " + loss.primary() + " (" + loss.words()
                    + ")");
            return;
        }
        log.info("session {}: lost the primary {} ({}); waiting up to {} ms for a new one", session.id(),
                loss.primary(), loss.words(), wait.toMillis());
        state = new Waiting(loss, timer.nanoTime() + wait.toNanos(), Optional.empty());
        poll();
    }

    private void poll() {
        if (!(state instanceof Waiting w)) {
            return;
        }
        Optional<Endpoint> next = newPrimary(w.loss().primary());
        if (timer.nanoTime() - w.deadline() >= 0) {
            end(w.loss().sqlState(), "pgrouter: lost the connection to the primary " + w.loss().primary() + " ("
                    + w.loss().words() + ") and " + w.refusal().map(r -> "could not log in to the new one within "
                            + wait.toMillis() + " ms: " + r)
                            .orElse("no other primary appeared within " + wait.toMillis() + " ms"));
        } else if (next.isPresent()) {
            connect(w, next.get());
        } else {
            timer.after(POLL, this::poll);
        }
    }

    private void connect(Waiting w, Endpoint target) {
        Connecting c = new Connecting(w.loss(), w.deadline(), target);
        state = c;
        (session.authenticatedByPgrouter() ? session.acquire(target) : session.login(target))
                .whenComplete((b, error) -> connected(c, b, error));
    }

    private void connected(Connecting c, Backend b, Throwable error) {
        if (state != c) { // the session ended meanwhile
            if (b != null) {
                b.close();
            }
            return;
        }
        if (error != null) {
            log.debug("session {}: no login to the new primary {} yet: {}", session.id(), c.target(), error.toString());
            String refusal = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                    ? error.getCause().getMessage() : error.getMessage();
            state = new Waiting(c.loss(), c.deadline(), Optional.of(c.target() + " said: " + refusal));
            timer.after(POLL, this::poll);
            return;
        }
        replay.replayOn(b, session.alloc());
        state = ATTACHED;
        counts.moved();
        log.info("session {}: moved from the primary {} to {}", session.id(), c.loss().primary(), c.target());
        session.toClient(BackendMessages.noticeResponse(session.alloc(), "NOTICE", SqlState.SUCCESSFUL_COMPLETION,
                "pgrouter: the primary changed to " + c.target() + "; the session moved"));
        primary.moved(b);
    }

    private void end(String sqlState, String message) {
        state = new Ended();
        counts.ended();
        log.warn("session {}: {}", session.id(), message);
        session.fail(sqlState, message);
    }

    /** The session ends for another reason: a login under way is given up. */
    void stop() {
        state = new Ended();
    }
}
