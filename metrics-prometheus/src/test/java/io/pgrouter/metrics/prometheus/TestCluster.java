package io.pgrouter.metrics.prometheus;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.testkit.FixedStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small builders for the plain records of the plugin API, for rendering tests. */
final class TestCluster {
    static final Instant CHECKED = Instant.parse("2026-01-02T03:04:05.250Z");
    static final long LAG_THRESHOLD = 1_048_576;

    private final List<BackendState> backends = new ArrayList<>();
    private Optional<BackendState> primary = Optional.empty();
    private boolean splitBrain;
    private long generation = 1;

    TestCluster primary(String address) {
        BackendState b = state(address, Role.PRIMARY, Status.OK, 0, Optional.empty(), Duration.ZERO,
                Following.UNKNOWN, Optional.empty());
        backends.add(b);
        if (primary.isEmpty()) {
            primary = Optional.of(b);
        } else {
            splitBrain = true;
        }
        return this;
    }

    TestCluster replica(String address, long lagBytes, Duration replayDelay, Duration maxReplayDelay,
            Following following) {
        backends.add(state(address, Role.REPLICA, Status.OK, lagBytes, Optional.of(replayDelay), maxReplayDelay,
                following, Optional.empty()));
        return this;
    }

    TestCluster failed(String address, String error) {
        backends.add(state(address, Role.UNKNOWN, Status.FAILED, 0, Optional.empty(), Duration.ZERO,
                Following.UNKNOWN, Optional.of(error)));
        return this;
    }

    TestCluster starting(String address) {
        backends.add(BackendState.starting(Endpoint.parse(address), TlsMode.OFF, 100, LAG_THRESHOLD));
        return this;
    }

    TestCluster generation(long g) {
        generation = g;
        return this;
    }

    ClusterSnapshot snapshot() {
        return new ClusterSnapshot(backends, primary, splitBrain, generation, Instant.parse("2026-01-02T03:04:06Z"));
    }

    private static BackendState state(String address, Role role, Status status, long lag, Optional<Duration> delay,
            Duration maxDelay, Following following, Optional<String> error) {
        return new BackendState(Endpoint.parse(address), TlsMode.OFF, 100, LAG_THRESHOLD, maxDelay, role, status, lag,
                delay, 0, following, CHECKED, error);
    }

    static FixedStats stats(int workers, long clients, long connections, Map<Endpoint, Long> requests) {
        return new FixedStats(workers, clients, connections).requests(requests);
    }
}
