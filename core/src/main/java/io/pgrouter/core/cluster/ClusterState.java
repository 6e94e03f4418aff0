package io.pgrouter.core.cluster;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.ClusterView;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current {@link ClusterSnapshot}, shared by every thread. The watcher replaces it whole
 * after each round; readers take it with one volatile read and never lock (seed 000's shared
 * dataset, without its rwlocks).
 */
public final class ClusterState implements ClusterView {
    private final AtomicReference<ClusterSnapshot> current;

    /** Starts with every backend STARTING, no primary, generation 0. */
    public ClusterState(List<BackendConfig> backends) {
        this.current = new AtomicReference<>(initialSnapshot(backends));
    }

    /** The snapshot before any probe: every backend STARTING, in configuration order. */
    public static ClusterSnapshot initialSnapshot(List<BackendConfig> backends) {
        List<BackendState> states = backends.stream()
                .map(b -> BackendState.starting(b.address(), b.tls(), b.weight(), b.lagThreshold()))
                .toList();
        return new ClusterSnapshot(states, Optional.empty(), false, 0, Instant.now());
    }

    @Override
    public ClusterSnapshot current() {
        return current.get();
    }

    /**
     * Replaces the snapshot. Generations only move forward, so a late publisher can never undo
     * a newer snapshot.
     *
     * @throws IllegalArgumentException when the snapshot is not newer than the current one
     */
    public void publish(ClusterSnapshot next) {
        Objects.requireNonNull(next, "next");
        current.updateAndGet(prev -> {
            if (next.generation() <= prev.generation()) {
                throw new IllegalArgumentException("snapshot generation " + next.generation()
                        + " is not newer than the current " + prev.generation());
            }
            return next;
        });
    }
}
