package io.pgrouter.spi.testkit;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Clusters as the health checks would report them when nothing is wrong, for the pipeline to
 * route over ({@link FakeSession#snapshot}): a test that wants a backend down or lagging builds
 * its {@link ClusterSnapshot} itself.
 */
final class HealthyCluster {
    private HealthyCluster() {
    }

    /** An OK primary and OK, caught-up replicas (weight 1), none of them lagging. */
    static ClusterSnapshot snapshot(long generation, Endpoint primary, Endpoint... replicas) {
        List<BackendState> backends = new ArrayList<>();
        BackendState p = state(primary, Role.PRIMARY);
        backends.add(p);
        for (Endpoint r : replicas) {
            backends.add(state(r, Role.REPLICA));
        }
        return new ClusterSnapshot(backends, Optional.of(p), false, generation, Instant.EPOCH);
    }

    private static BackendState state(Endpoint address, Role role) {
        return new BackendState(address, TlsMode.OFF, 1, 1 << 20, role, Status.OK, 0, Optional.empty(), Instant.EPOCH,
                Optional.empty());
    }
}
