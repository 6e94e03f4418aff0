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
 * after each round; readers take it with one volatile read and never lock (the original pgrouter's shared
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
                .map(ClusterState::starting)
                .toList();
        return new ClusterSnapshot(states, Optional.empty(), false, 0, Instant.now());
    }

    private static BackendState starting(BackendConfig b) {
        return BackendState.starting(b.address(), b.tls(), b.weight(), b.lagThreshold(), b.maxReplayDelay());
    }

    @Override
    public ClusterSnapshot current() {
        return current.get();
    }

    /**
     * Applies a reloaded backend list: backends kept keep what the watcher observed (with their
     * new weight, thresholds and TLS mode), new ones start as STARTING, removed ones disappear,
     * and the trusted primary stays trusted if it is still configured. Publishes the result as
     * the next generation; the caller then replaces the watcher with one for the new list.
     */
    public ClusterSnapshot reconfigure(List<BackendConfig> backends) {
        return current.updateAndGet(prev -> {
            List<BackendState> states = backends.stream().map(b -> prev.backend(b.address())
                    .map(old -> new BackendState(b.address(), b.tls(), b.weight(), b.lagThreshold(),
                            b.maxReplayDelay(), old.role(), old.status(), old.lagBytes(), old.replayDelay(),
                            old.walPosition(), old.following(), old.checkedAt(), old.error(), old.ha()))
                    .orElseGet(() -> starting(b)))
                    .toList();
            Optional<BackendState> primary = prev.primary().flatMap(p -> states.stream()
                    .filter(b -> b.address().equals(p.address())).findFirst());
            return new ClusterSnapshot(states, primary, prev.splitBrain(), prev.generation() + 1, Instant.now(),
                    prev.topology());
        });
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
