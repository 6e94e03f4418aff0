package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.pipeline.Backend;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns whether a session's replica connection has replayed a WAL position before a read runs
 * there: from the positions every session shares when they say so, else by asking the replica
 * (one small query, its answer shared), again every millisecond until a deadline. Remembers for
 * a moment that the replica said it was behind, so that reads which may not wait go to the
 * primary without asking again. One per {@link ReplicaLink}; no I/O but the queries it sends.
 */
final class ReplayWait {
    private static final Logger log = LoggerFactory.getLogger(ReplayWait.class);

    /** Asks a replica how far it has replayed. */
    static final String POSITION_QUERY = "SELECT pg_last_wal_replay_lsn()";
    /** Asks again after a millisecond, sleeping on the replica: no timer in pgrouter, the connection is the session's anyway. */
    static final String POSITION_QUERY_AFTER_PAUSE = "SELECT pg_last_wal_replay_lsn() FROM pg_sleep(0.001)";

    /** How asking ended. */
    enum Outcome {
        /** The replica has replayed the position: the read may run there. */
        REPLAYED,
        /** It had not by the deadline, or its answer made no sense, or the read is no longer waiting there. */
        NOT_REPLAYED
    }

    private final long sessionId;
    private final ReplayPositions positions;
    private final long askAgainAfterNanos;
    /**
     * Until when ({@link System#nanoTime}) reads that may not wait go to the primary without
     * asking this replica again, since it said it was behind: replay takes a millisecond or
     * two, and every read right after a write would otherwise pay a round trip to learn so.
     */
    private long askAgainAfter = System.nanoTime();

    ReplayWait(long sessionId, ReplayPositions positions, Duration askAgainAfter) {
        this.sessionId = sessionId;
        this.positions = positions;
        this.askAgainAfterNanos = askAgainAfter.toNanos();
    }

    /** The shared positions say this replica has replayed {@code required} (0: nothing to wait for). */
    boolean known(Endpoint replica, long required) {
        return required <= 0 || positions.replayed(replica) >= required;
    }

    /**
     * No wait is allowed, and this replica said it was behind a moment ago: asking again would
     * only add a round trip before the read goes to the primary anyway.
     */
    boolean notWorthAsking(long deadlineNanos) {
        long now = System.nanoTime();
        return deadlineNanos - now <= 0 && now - askAgainAfter < 0;
    }

    /** The session has a new replica connection: it has said nothing yet. */
    void newConnection() {
        askAgainAfter = System.nanoTime();
    }

    /**
     * Asks {@code replica} until it has replayed {@code required}, until {@code deadlineNanos}, or
     * until {@code stillWaiting} says the read went elsewhere; then tells {@code then}.
     */
    void ask(Backend replica, long required, long deadlineNanos, BooleanSupplier stillWaiting, Consumer<Outcome> then) {
        ask(POSITION_QUERY, replica, required, deadlineNanos, stillWaiting, then);
    }

    private void ask(String query, Backend replica, long required, long deadlineNanos, BooleanSupplier stillWaiting,
            Consumer<Outcome> then) {
        replica.queryInternal(query).whenComplete((value, error) -> {
            long replayed = -1;
            if (error == null && value != null) {
                try {
                    replayed = Lsn.parse(value);
                    positions.observed(replica.address(), replayed);
                } catch (IllegalArgumentException e) {
                    log.debug("session {}: unexpected replay position {}", sessionId, value);
                }
            }
            if (!stillWaiting.getAsBoolean()) {
                then.accept(Outcome.NOT_REPLAYED);
            } else if (replayed >= required) {
                then.accept(Outcome.REPLAYED);
            } else if (replayed >= 0 && System.nanoTime() < deadlineNanos) {
                ask(POSITION_QUERY_AFTER_PAUSE, replica, required, deadlineNanos, stillWaiting, then);
            } else {
                if (replayed >= 0) {
                    askAgainAfter = System.nanoTime() + askAgainAfterNanos;
                }
                log.debug("session {}: replica {} has replayed {} of {}: read on the primary", sessionId,
                        replica.address(), replayed < 0 ? "?" : Lsn.format(replayed), Lsn.format(required));
                then.accept(Outcome.NOT_REPLAYED);
            }
        });
    }
}
