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
 * @param topology how current the HA manager's topology is, when pgrouter follows one; empty otherwise
 */
public record ClusterSnapshot(
        List<BackendState> backends,
        Optional<BackendState> primary,
        boolean splitBrain,
        long generation,
        Instant publishedAt,
        Optional<TopologyStatus> topology) {

    public ClusterSnapshot {
        backends = List.copyOf(backends);
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(topology, "topology");
    }

    /** A snapshot of a cluster pgrouter judges alone, without an HA manager. */
    public ClusterSnapshot(List<BackendState> backends, Optional<BackendState> primary, boolean splitBrain,
            long generation, Instant publishedAt) {
        this(backends, primary, splitBrain, generation, publishedAt, Optional.empty());
    }

    /**
     * Why writes fail when there is no primary, for the client's error message: the HA manager's
     * topology lost past its grace, or simply no node to take them.
     */
    public String noPrimaryReason() {
        return topology.filter(TopologyStatus::isLost)
                .map(t -> "the " + t.source() + " topology has been unreachable for longer than its "
                        + t.grace().toMillis() + "ms grace" + t.error().map(e -> " (" + e + ")").orElse("")
                        + ", so pgrouter cannot tell which node is the leader")
                .orElse("no primary backend is available");
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
        // A loop, not a stream: readsplit asks this for every read.
        for (BackendState b : backends) {
            if (b.address().equals(address)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Whether the backend at an address may serve reads now (asked for every read, so it allocates nothing). */
    public boolean isEligibleForReads(Endpoint address) {
        for (BackendState b : backends) {
            if (b.address().equals(address)) {
                return b.isEligibleForReads();
            }
        }
        return false;
    }
}
