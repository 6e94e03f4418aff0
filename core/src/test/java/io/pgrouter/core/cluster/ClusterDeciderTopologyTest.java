package io.pgrouter.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.TopologyStatus.Freshness;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** The decider when an HA manager's topology decides the roles. */
class ClusterDeciderTopologyTest {
    private static final Endpoint A = ClusterDeciderTest.A;
    private static final Endpoint B = ClusterDeciderTest.B;
    private static final Endpoint C = ClusterDeciderTest.C;
    private static final Instant NOW = ClusterDeciderTest.NOW;
    private static final Duration GRACE = Duration.ofSeconds(10);

    private static ClusterSnapshot initial() {
        return ClusterDeciderTest.initial();
    }

    private static ProbeOutcome primary(Endpoint e, long wal) {
        return ClusterDeciderTest.primary(e, wal);
    }

    private static ProbeOutcome replica(Endpoint e, long wal) {
        return ClusterDeciderTest.replica(e, wal);
    }

    private static TopologyMember member(String name, Endpoint e, boolean leader, String state, boolean noLoadBalance) {
        return new TopologyMember(name, e, leader, leader ? "leader" : "replica", state, OptionalLong.of(1),
                OptionalLong.empty(), noLoadBalance);
    }

    private static Topology topology(Endpoint leader) {
        return new Topology(List.of(member("n1", A, leader.equals(A), leader.equals(A) ? "running" : "streaming", false),
                member("n2", B, leader.equals(B), leader.equals(B) ? "running" : "streaming", false),
                member("n3", C, leader.equals(C), leader.equals(C) ? "running" : "streaming", false)));
    }

    private static ClusterDecider.Round decide(ClusterSnapshot before, TopologyVerdict verdict, ProbeOutcome... outcomes) {
        return ClusterDecider.decide(before, List.of(outcomes), Optional.of(verdict), NOW);
    }

    private static Optional<Endpoint> primaryOf(ClusterSnapshot s) {
        return s.primary().map(BackendState::address);
    }

    private static BackendState state(ClusterSnapshot s, Endpoint e) {
        return s.backend(e).orElseThrow();
    }

    @Test
    void theLeaderIsThePrimaryAndTheOthersServeReads() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        ClusterSnapshot s = decide(initial(), tracker.succeeded(topology(A), NOW),
                primary(A, 5000), replica(B, 4990), replica(C, 5000)).snapshot();
        assertEquals(Optional.of(A), primaryOf(s));
        assertEquals(List.of(B, C), s.eligibleReplicas().stream().map(BackendState::address).toList());
        assertEquals(10, state(s, B).lagBytes());
        assertEquals("n2", state(s, B).ha().orElseThrow().name());
        assertEquals(Freshness.CURRENT, s.topology().orElseThrow().freshness());
    }

    @Test
    void theHaManagerWinsTheRoleAndTheDisagreementIsShown() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        ClusterSnapshot before = decide(initial(), tracker.succeeded(topology(A), NOW),
                primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();
        // Patroni moved the leader key to B; B is still being promoted, A still answers as primary.
        ClusterDecider.Round round = decide(before, tracker.succeeded(topology(B), NOW),
                primary(A, 6000), replica(B, 6000), replica(C, 6000));
        ClusterSnapshot s = round.snapshot();
        assertEquals(Optional.of(B), primaryOf(s));
        assertFalse(s.splitBrain());
        assertEquals(Role.REPLICA, state(s, A).role());
        assertEquals(Role.PRIMARY, state(s, B).role());
        assertTrue(state(s, A).ha().orElseThrow().disagreement().orElseThrow().contains("saw a primary"),
                state(s, A).ha().toString());
        assertTrue(state(s, B).ha().orElseThrow().disagreement().isPresent());
        assertTrue(state(s, C).ha().orElseThrow().disagreement().isEmpty());
        assertTrue(round.events().stream().anyMatch(e -> e.message().contains("primary is now " + B)), round.events().toString());
        assertTrue(round.events().stream().anyMatch(e -> e.level() == Level.WARN && e.message().contains("the HA manager wins")));
    }

    @Test
    void noloadbalanceStoppedAndUnlistedMembersServeNoReads() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        Topology t = new Topology(List.of(member("n1", A, true, "running", false),
                member("n2", B, false, "streaming", true)));
        ClusterSnapshot s = decide(initial(), tracker.succeeded(t, NOW),
                primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();
        assertEquals(List.of(), s.eligibleReplicas());
        assertTrue(state(s, B).isHeldByHa());
        assertEquals(Optional.of("noloadbalance"), state(s, B).ha().orElseThrow().noReadsReason());
        assertEquals(Optional.of("unlisted"), state(s, C).ha().orElseThrow().noReadsReason());

        Topology stopped = new Topology(List.of(member("n1", A, true, "running", false),
                member("n2", B, false, "stopped", false), member("n3", C, false, "streaming", false)));
        s = decide(s, tracker.succeeded(stopped, NOW), primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();
        assertEquals(List.of(C), s.eligibleReplicas().stream().map(BackendState::address).toList());
    }

    @Test
    void aLeaderThatIsNotReachableIsNoPrimaryAndNoProbeMakesOne() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        Topology noLeader = new Topology(List.of(member("n1", A, false, "stopped", false),
                member("n2", B, false, "streaming", false), member("n3", C, false, "streaming", false)));
        ClusterSnapshot s = decide(initial(), tracker.succeeded(noLeader, NOW),
                primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();
        assertEquals(Optional.empty(), s.primary());
        s = decide(s, tracker.succeeded(topology(A), NOW), ProbeOutcome.failed(A, "refused", NOW),
                replica(B, 5000), replica(C, 5000)).snapshot();
        assertEquals(Optional.empty(), s.primary());
    }

    @Test
    void anUnreachableTopologyIsKeptForTheGraceThenWritesStop() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        ClusterSnapshot s = decide(initial(), tracker.succeeded(topology(A), NOW),
                primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();

        ClusterDecider.Round stale = decide(s, tracker.failed("etcd: connection refused", NOW.plusSeconds(9)),
                primary(A, 5000), replica(B, 5000), replica(C, 5000));
        assertEquals(Optional.of(A), primaryOf(stale.snapshot()));
        assertEquals(Freshness.STALE, stale.snapshot().topology().orElseThrow().freshness());
        assertTrue(stale.events().stream().anyMatch(e -> e.level() == Level.WARN && e.message().contains("unreachable")));

        ClusterDecider.Round lost = decide(stale.snapshot(), tracker.failed("etcd: connection refused", NOW.plusSeconds(11)),
                primary(A, 5000), replica(B, 5000), replica(C, 5000));
        ClusterSnapshot l = lost.snapshot();
        assertEquals(Optional.empty(), l.primary());
        assertEquals(Freshness.LOST, l.topology().orElseThrow().freshness());
        assertTrue(l.noPrimaryReason().contains("patroni topology has been unreachable"), l.noPrimaryReason());
        assertTrue(l.noPrimaryReason().contains("etcd: connection refused"), l.noPrimaryReason());
        assertEquals(Role.PRIMARY, state(l, A).role(), "roles follow the last view; the node just takes no writes");
        assertEquals(List.of(B, C), l.eligibleReplicas().stream().map(BackendState::address).toList());
        assertTrue(lost.events().stream().anyMatch(e -> e.level() == Level.ERROR && e.message().contains("writes are refused")));

        ClusterDecider.Round back = decide(l, tracker.succeeded(topology(A), NOW.plusSeconds(12)),
                primary(A, 5000), replica(B, 5000), replica(C, 5000));
        assertEquals(Optional.of(A), primaryOf(back.snapshot()));
        assertTrue(back.events().stream().anyMatch(e -> e.message().contains("reachable again")));
    }

    @Test
    void aTopologyNeverFetchedIsLost() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        ClusterSnapshot s = decide(initial(), tracker.failed("refused", NOW),
                primary(A, 5000), replica(B, 5000), replica(C, 5000)).snapshot();
        assertEquals(Optional.empty(), s.primary());
        assertEquals(Freshness.LOST, s.topology().orElseThrow().freshness());
    }

    @Test
    void aStandbyClustersLeaderTakesNoWritesButServesReads() {
        TopologyTracker tracker = new TopologyTracker("patroni", GRACE);
        Topology standby = new Topology(List.of(
                new TopologyMember("n1", A, true, "standby_leader", "running", OptionalLong.of(1), OptionalLong.empty(), false),
                member("n2", B, false, "streaming", false)));
        ClusterSnapshot s = decide(initial(), tracker.succeeded(standby, NOW), replica(A, 5000), replica(B, 5000),
                replica(C, 5000)).snapshot();
        assertEquals(Optional.empty(), s.primary());
        assertEquals(Role.REPLICA, state(s, A).role());
        assertTrue(state(s, A).ha().orElseThrow().disagreement().isEmpty());
        assertEquals(List.of(A, B), s.eligibleReplicas().stream().map(BackendState::address).toList());
    }
}
