package io.pgrouter.spi.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole cluster as the watcher last saw it, replaced whole after every round. Readers never
 * lock: they take the current snapshot and use it.
 *
 * @param backends every configured backend, in configuration order
 * @param primary the primary writes go to: the single node claiming the role or, during a split
 *     brain, the one trusted before it began while it still claims the role; empty when there is
 *     none to trust
 * @param splitBrain true when more than one node claims to be primary
 * @param generation increases with every published snapshot
 * @param publishedAt when it was published
 */
public record ClusterSnapshot(
        List<BackendState> backends,
        Optional<BackendState> primary,
        boolean splitBrain,
        long generation,
        Instant publishedAt) {

    public ClusterSnapshot {
        backends = List.copyOf(backends);
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(publishedAt, "publishedAt");
    }

    /** Replicas that may serve reads now, in configuration order. */
    public List<BackendState> eligibleReplicas() {
        return backends.stream().filter(BackendState::isEligibleForReads).toList();
    }

    /** How many backends are OK. */
    public long okCount() {
        return backends.stream().filter(BackendState::isOk).count();
    }

    /** The backend at an address, if configured. */
    public Optional<BackendState> backend(Endpoint address) {
        return backends.stream().filter(b -> b.address().equals(address)).findFirst();
    }
}
