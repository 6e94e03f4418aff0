package io.pgrouter.spi.health;

import java.time.Duration;

/**
 * A cluster-wide view from an HA manager (Patroni): who leads, who may serve reads. Selected by
 * {@code topology NAME} in the {@code health { }} block, next to the per-backend health check,
 * which still measures WAL positions and lag; where the two disagree on a role, the topology wins.
 *
 * <p>The watcher calls {@link #fetch} once per round on one of its threads (never two at once);
 * with {@code backends NAME}, core also calls it once at startup, before the watcher starts, and
 * the members' addresses become the backends.
 * When it fails, the last topology is kept for {@link #grace()}, then there is no primary until a
 * fetch succeeds again. Thread-safe.
 */
public interface TopologySource extends AutoCloseable {
    /**
     * The cluster as the HA manager sees it now.
     *
     * @throws Exception when the HA manager or its store cannot be reached or answers nonsense;
     *     the message says which and why
     */
    Topology fetch(Duration timeout) throws Exception;

    /** How long the last topology stays trusted while fetches fail. */
    Duration grace();

    /**
     * Starts telling {@code listener} when the topology may have changed (the leader key moved),
     * so that the watcher runs a round at once instead of at the next interval. Called once,
     * before the first round; sources that cannot tell need not override it.
     */
    default void watch(Runnable listener) {
    }

    /** Stops watching and releases connections. Called at shutdown or when replaced by a reload. */
    @Override
    default void close() {
    }
}
