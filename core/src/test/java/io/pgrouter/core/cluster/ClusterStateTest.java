package io.pgrouter.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.spi.health.WalReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ClusterStateTest {
    private static final Endpoint A = Endpoint.parse("10.0.0.1:5432");
    private static final Endpoint B = Endpoint.parse("10.0.0.2:5432");
    private static final Endpoint C = Endpoint.parse("10.0.0.3:5432");

    private static BackendConfig config(Endpoint e, long lag) {
        return new BackendConfig(e, TlsMode.OFF, lag, 100, "t:1:1");
    }

    @Test
    void publishRefusesAStaleGeneration() {
        ClusterState state = new ClusterState(List.of(config(A, 10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> state.publish(state.current()));
        assertEquals("snapshot generation 0 is not newer than the current 0", e.getMessage());
    }

    @Test
    void reconfigureKeepsObservedStateAddsStartingAndDropsRemoved() {
        ClusterState state = new ClusterState(List.of(config(A, 10), config(B, 10)));
        Instant now = Instant.now();
        state.publish(ClusterDecider.decide(state.current(), List.of(
                ProbeOutcome.answered(A, new Probe(Role.PRIMARY, 100, Optional.empty()), now),
                ProbeOutcome.answered(B, new Probe(Role.REPLICA, 50, Optional.empty()), now)), now).snapshot());

        ClusterSnapshot s = state.reconfigure(List.of(config(A, 10), config(C, 10), config(B, 1000)));
        assertEquals(2, s.generation());
        assertEquals(List.of(A, C, B), s.backends().stream().map(b -> b.address()).toList());
        assertEquals(Status.OK, s.backend(A).orElseThrow().status());
        assertEquals(Status.STARTING, s.backend(C).orElseThrow().status());
        assertEquals(50, s.backend(B).orElseThrow().lagBytes());
        assertEquals(1000, s.backend(B).orElseThrow().lagThreshold(), "the new threshold applies at once");
        assertEquals(Optional.of(A), s.primary().map(p -> p.address()));

        ClusterSnapshot without = state.reconfigure(List.of(config(B, 1000)));
        assertEquals(Optional.empty(), without.primary(), "a removed primary is no longer trusted");
    }

    @Test
    void reconfigureAppliesANewMaxReplayDelayAndKeepsWhetherAReplicaFollows() {
        ClusterState state = new ClusterState(List.of(config(A, 10), config(B, 1000)));
        Instant now = Instant.now();
        state.publish(ClusterDecider.decide(state.current(), List.of(
                ProbeOutcome.answered(A, new Probe(Role.PRIMARY, 100, Optional.empty(), OptionalLong.of(2),
                        WalReceiver.NONE, false), now),
                ProbeOutcome.answered(B, new Probe(Role.REPLICA, 50, Optional.of(Duration.ofSeconds(5)),
                        OptionalLong.of(1), WalReceiver.STREAMING, false), now)), now).snapshot());
        assertEquals(Following.OTHER_TIMELINE, state.current().backend(B).orElseThrow().following());

        ClusterSnapshot s = state.reconfigure(List.of(config(A, 10),
                new BackendConfig(B, TlsMode.OFF, 1000, Duration.ofSeconds(1), 100, Optional.empty(), "t:2:1")));
        BackendState b = s.backend(B).orElseThrow();
        assertEquals(Following.OTHER_TIMELINE, b.following());
        assertEquals(50, b.walPosition());
        assertEquals(Duration.ofSeconds(1), b.maxReplayDelay());
        assertTrue(b.isDelayed(), "the new limit applies at once");
    }
}
