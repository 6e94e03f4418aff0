package io.pgrouter.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class ClusterDeciderTest {
    static final Endpoint A = Endpoint.parse("10.0.0.1:5432");
    static final Endpoint B = Endpoint.parse("10.0.0.2:5432");
    static final Endpoint C = Endpoint.parse("10.0.0.3:5432");
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static ClusterSnapshot initial() {
        return ClusterState.initialSnapshot(List.of(
                new BackendConfig(A, TlsMode.OFF, 1000, 100, "t:1:1"),
                new BackendConfig(B, TlsMode.OFF, 1000, 100, "t:2:1"),
                new BackendConfig(C, TlsMode.OFF, 1000, 100, "t:3:1")));
    }

    static ProbeOutcome primary(Endpoint e, long wal) {
        return ProbeOutcome.answered(e, new Probe(Role.PRIMARY, wal, Optional.empty()), NOW);
    }

    static ProbeOutcome replica(Endpoint e, long wal) {
        return ProbeOutcome.answered(e, new Probe(Role.REPLICA, wal, Optional.of(Duration.ofMillis(40))), NOW);
    }

    private static ProbeOutcome down(Endpoint e) {
        return ProbeOutcome.failed(e, "connection refused", NOW);
    }

    private static ClusterDecider.Round decide(ClusterSnapshot before, ProbeOutcome... outcomes) {
        return ClusterDecider.decide(before, List.of(outcomes), NOW);
    }

    private static BackendState state(ClusterSnapshot s, Endpoint e) {
        return s.backend(e).orElseThrow();
    }

    private static Optional<Endpoint> primaryOf(ClusterSnapshot s) {
        return s.primary().map(BackendState::address);
    }

    @Test
    void initialSnapshotHasEveryBackendStartingAndNoPrimary() {
        ClusterSnapshot s = initial();
        assertEquals(3, s.backends().size());
        assertTrue(s.backends().stream().allMatch(b -> b.status() == Status.STARTING));
        assertEquals(Optional.empty(), s.primary());
        assertEquals(0, s.generation());
    }

    @Test
    void onePrimaryTwoReplicasGivesRolesLagAndNextGeneration() {
        ClusterSnapshot s = decide(initial(), primary(A, 5000), replica(B, 4800), replica(C, 5000)).snapshot();
        assertEquals(Optional.of(A), primaryOf(s));
        assertFalse(s.splitBrain());
        assertEquals(1, s.generation());
        assertEquals(0, state(s, A).lagBytes());
        assertEquals(200, state(s, B).lagBytes());
        assertEquals(0, state(s, C).lagBytes());
        assertEquals(Role.REPLICA, state(s, B).role());
        assertEquals(Optional.of(Duration.ofMillis(40)), state(s, B).replayDelay());
        assertEquals(Optional.empty(), state(s, A).replayDelay());
        assertEquals(3, s.okCount());
    }

    @Test
    void replicaAheadOfAnEarlierPrimaryProbeHasZeroLagNotNegative() {
        ClusterSnapshot s = decide(initial(), primary(A, 5000), replica(B, 5100), replica(C, 5000)).snapshot();
        assertEquals(0, state(s, B).lagBytes());
    }

    @Test
    void lagPastThresholdMakesReplicaLaggingAndIsLoggedOnce() {
        ClusterDecider.Round first = decide(initial(), primary(A, 10_000), replica(B, 8_000), replica(C, 10_000));
        BackendState b = state(first.snapshot(), B);
        assertTrue(b.isLagging());
        assertFalse(b.isEligibleForReads());
        assertEquals(List.of(C), first.snapshot().eligibleReplicas().stream().map(BackendState::address).toList());
        assertTrue(first.events().stream().anyMatch(e -> e.message().contains("lags 2000 bytes")));

        ClusterDecider.Round second = decide(first.snapshot(), primary(A, 11_000), replica(B, 9_000), replica(C, 11_000));
        assertTrue(second.events().isEmpty(), "steady state logs nothing: " + second.events());

        ClusterDecider.Round third = decide(second.snapshot(), primary(A, 11_000), replica(B, 11_000), replica(C, 11_000));
        assertTrue(state(third.snapshot(), B).isEligibleForReads());
        assertTrue(third.events().stream().anyMatch(e -> e.message().contains("caught up")));
    }

    @Test
    void failedProbeMakesBackendFailedWithErrorAndUnknownRole() {
        ClusterSnapshot ok = decide(initial(), primary(A, 1), replica(B, 1), replica(C, 1)).snapshot();
        ClusterDecider.Round r = decide(ok, primary(A, 1), down(B), replica(C, 1));
        BackendState b = state(r.snapshot(), B);
        assertEquals(Status.FAILED, b.status());
        assertEquals(Role.UNKNOWN, b.role());
        assertEquals(Optional.of("connection refused"), b.error());
        assertEquals(1, r.events().size());
        assertEquals(Level.WARN, r.events().get(0).level());
        assertTrue(r.events().get(0).message().contains("10.0.0.2:5432 is now FAILED (was OK replica)"));

        ClusterDecider.Round again = decide(r.snapshot(), primary(A, 1), down(B), replica(C, 1));
        assertTrue(again.events().isEmpty(), "a backend that stays down is logged once");
    }

    @Test
    void backendWithoutOutcomeKeepsItsState() {
        ClusterSnapshot s = decide(initial(), primary(A, 1), replica(B, 1)).snapshot();
        assertEquals(Status.STARTING, state(s, C).status());
    }

    @Test
    void noPrimaryKeepsLastMeasuredLagSoALaggingReplicaStaysOut() {
        ClusterSnapshot s1 = decide(initial(), primary(A, 10_000), replica(B, 8_000), replica(C, 10_000)).snapshot();
        ClusterDecider.Round r = decide(s1, down(A), replica(B, 8_500), replica(C, 10_000));
        assertEquals(Optional.empty(), r.snapshot().primary());
        assertFalse(r.snapshot().splitBrain());
        assertEquals(2000, state(r.snapshot(), B).lagBytes());
        assertTrue(state(r.snapshot(), B).isLagging());
        assertTrue(state(r.snapshot(), C).isEligibleForReads());
        assertTrue(r.events().stream().anyMatch(e -> e.message().startsWith("no primary (was 10.0.0.1:5432)")));
    }

    @Test
    void promotionAfterPrimaryFailureMovesThePrimary() {
        ClusterSnapshot s1 = decide(initial(), primary(A, 100), replica(B, 100), replica(C, 100)).snapshot();
        ClusterDecider.Round r = decide(s1, down(A), primary(B, 200), replica(C, 150));
        assertEquals(Optional.of(B), primaryOf(r.snapshot()));
        assertEquals(50, state(r.snapshot(), C).lagBytes());
        assertTrue(r.events().stream().anyMatch(e -> e.message().equals("primary is now 10.0.0.2:5432 (was 10.0.0.1:5432)")));
    }

    @Test
    void splitBrainKeepsTheTrustedPrimaryAndLogsOnceLoudly() {
        ClusterSnapshot s1 = decide(initial(), primary(A, 100), replica(B, 100), replica(C, 100)).snapshot();
        ClusterDecider.Round r = decide(s1, primary(A, 300), primary(B, 200), replica(C, 250));
        assertTrue(r.snapshot().splitBrain());
        assertEquals(Optional.of(A), primaryOf(r.snapshot()));
        assertEquals(50, state(r.snapshot(), C).lagBytes(), "lag is measured against the trusted primary");
        List<ClusterEvent> errors = r.events().stream().filter(e -> e.level() == Level.ERROR).toList();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).message().contains("10.0.0.1:5432, 10.0.0.2:5432 all claim to be primary"));
        assertTrue(errors.get(0).message().contains("writes stay on 10.0.0.1:5432"));

        ClusterDecider.Round again = decide(r.snapshot(), primary(A, 400), primary(B, 200), replica(C, 400));
        assertEquals(Optional.of(A), primaryOf(again.snapshot()));
        assertTrue(again.events().stream().noneMatch(e -> e.level() == Level.ERROR), "not logged every round");
    }

    @Test
    void splitBrainWithoutTrustedPrimaryHasNoPrimaryUntilOneRemains() {
        ClusterSnapshot s1 = decide(initial(), primary(A, 100), primary(B, 100), replica(C, 100)).snapshot();
        assertTrue(s1.splitBrain());
        assertEquals(Optional.empty(), s1.primary());

        ClusterSnapshot s2 = decide(s1, primary(A, 100), primary(B, 100), replica(C, 100)).snapshot();
        assertEquals(Optional.empty(), s2.primary(), "a split brain never picks one by itself");

        ClusterDecider.Round r3 = decide(s2, primary(A, 100), replica(B, 100), replica(C, 100));
        assertFalse(r3.snapshot().splitBrain());
        assertEquals(Optional.of(A), primaryOf(r3.snapshot()));
        assertTrue(r3.events().stream().anyMatch(e -> e.message().startsWith("split brain over")));
    }

    @Test
    void splitBrainWhoseTrustedPrimaryStopsClaimingHasNoPrimary() {
        ClusterSnapshot s1 = decide(initial(), primary(A, 100), replica(B, 100), replica(C, 100)).snapshot();
        ClusterSnapshot s2 = decide(s1, primary(A, 100), primary(B, 100), replica(C, 100)).snapshot();
        ClusterSnapshot s3 = decide(s2, replica(A, 100), primary(B, 100), primary(C, 100)).snapshot();
        assertTrue(s3.splitBrain());
        assertEquals(Optional.empty(), s3.primary());
    }

    @Test
    void firstAnswerFromStartingIsLoggedAtInfo() {
        ClusterDecider.Round r = decide(initial(), primary(A, 1), replica(B, 1), replica(C, 1));
        assertTrue(r.events().stream().anyMatch(e -> e.level() == Level.INFO
                && e.message().equals("backend 10.0.0.1:5432 is now OK primary (was STARTING)")));
        assertTrue(r.events().stream().anyMatch(e -> e.message().equals("primary is now 10.0.0.1:5432 (was none)")));
    }
}
