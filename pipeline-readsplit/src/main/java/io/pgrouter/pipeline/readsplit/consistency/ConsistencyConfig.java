package io.pgrouter.pipeline.readsplit.consistency;

import io.pgrouter.spi.cluster.ReplayPositions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every session of a readsplit pipeline shares for read consistency.
 *
 * @param mode the {@code consistency} setting: each session's default
 * @param maxWait {@code consistency_wait}: how long a read may wait for a replica to replay what it
 *     must see before it goes to the primary (0: it goes at once)
 * @param replicas how far each replica has replayed
 * @param latestWrite the highest write position any session learned: the primary's position for
 *     {@code pgrouter.max_lag} between watcher rounds
 * @param askAgainAfter how long a session's reads that may not wait go to the primary without
 *     asking its replica again, once the replica said it had not replayed far enough: replay
 *     takes a millisecond or two, and each read in that time would pay a round trip to learn so
 */
public record ConsistencyConfig(ConsistencyMode mode, Duration maxWait, ReplayPositions replicas, AtomicLong latestWrite,
        Duration askAgainAfter) {
    /** The default {@code askAgainAfter}. */
    public static final Duration ASK_AGAIN_AFTER = Duration.ofMillis(1);

    public ConsistencyConfig(ConsistencyMode mode, Duration maxWait, ReplayPositions replicas, AtomicLong latestWrite) {
        this(mode, maxWait, replicas, latestWrite, ASK_AGAIN_AFTER);
    }

    public ConsistencyConfig {
        Objects.requireNonNull(askAgainAfter, "askAgainAfter");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(replicas, "replicas");
        Objects.requireNonNull(latestWrite, "latestWrite");
    }

    /** The defaults ({@code session}, no wait) over these positions. */
    public static ConsistencyConfig defaults(ReplayPositions replicas) {
        return new ConsistencyConfig(ConsistencyMode.SESSION, Duration.ZERO, replicas, new AtomicLong());
    }
}
