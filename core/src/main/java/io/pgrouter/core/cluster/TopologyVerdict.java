package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.health.Topology;
import java.util.Objects;
import java.util.Optional;

/**
 * The HA manager's topology as one watcher round may use it.
 *
 * @param topology the topology to trust: this round's, or the last one while it is within its
 *     grace; empty once it is lost
 * @param status how current it is, for the snapshot
 */
record TopologyVerdict(Optional<Topology> topology, TopologyStatus status) {
    TopologyVerdict {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(status, "status");
        if (topology.isEmpty() != status.isLost()) {
            throw new IllegalArgumentException("a topology is trusted exactly when it is not lost");
        }
    }
}
