package io.pgrouter.monitor.text;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.testkit.FixedStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The cluster of the original pgrouter's monitor example, as a snapshot. */
final class Snapshots {
    static final String SEED_EXAMPLE = """
            backends 3/5
            workers 64
            clients 32
            connections 28
            10.0.0.3:6432 master OK 0
            10.0.0.1:6432 slave OK 200
            10.0.0.2:6432 slave OK 208
            10.0.0.4:6432 slave FAILED
            10.0.0.5:6432 slave STARTING
            """;

    private Snapshots() {
    }

    static BackendState backend(String address, Role role, Status status, long lag, long threshold,
            Optional<Duration> delay, Optional<String> error) {
        return new BackendState(Endpoint.parse(address), TlsMode.OFF, 100, threshold, role, status, lag, delay,
                Instant.EPOCH, error);
    }

    static ClusterSnapshot seedExample() {
        BackendState primary = backend("10.0.0.3:6432", Role.PRIMARY, Status.OK, 0, 800, Optional.empty(), Optional.empty());
        return new ClusterSnapshot(List.of(
                primary,
                backend("10.0.0.1:6432", Role.REPLICA, Status.OK, 200, 800, Optional.of(Duration.ofMillis(1250)), Optional.empty()),
                backend("10.0.0.2:6432", Role.REPLICA, Status.OK, 208, 200, Optional.empty(), Optional.empty()),
                backend("10.0.0.4:6432", Role.UNKNOWN, Status.FAILED, 0, 800, Optional.empty(),
                        Optional.of("Connection to 10.0.0.4:6432 refused.\nCheck that the hostname and port are correct")),
                backend("10.0.0.5:6432", Role.UNKNOWN, Status.STARTING, 0, 800, Optional.empty(), Optional.empty())),
                Optional.of(primary), false, 42, Instant.EPOCH);
    }

    static RouterStats stats(int workers, long clients, long connections) {
        return stats(workers, clients, connections, Map.of());
    }

    static RouterStats stats(int workers, long clients, long connections, Map<Endpoint, Long> requests) {
        return new FixedStats(workers, clients, connections).requests(requests);
    }
}
