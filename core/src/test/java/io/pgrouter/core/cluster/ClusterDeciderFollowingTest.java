package io.pgrouter.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.slf4j.event.Level;

/** ClusterDecider's rules on whether a replica follows the primary, and on max_replay_delay. */
class ClusterDeciderFollowingTest {
    private static final Endpoint A = Endpoint.parse("10.0.0.1:5432");
    private static final Endpoint B = Endpoint.parse("10.0.0.2:5432");
    private static final Endpoint C = Endpoint.parse("10.0.0.3:5432");
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final long LAG_THRESHOLD = 1000;

    private static ClusterSnapshot initial() {
        return initial(Duration.ZERO);
    }

    private static ClusterSnapshot initial(Duration maxReplayDelay) {
        return ClusterState.initialSnapshot(List.of(
                new BackendConfig(A, TlsMode.OFF, LAG_THRESHOLD, maxReplayDelay, 100, Optional.empty(), "t:1:1"),
                new BackendConfig(B, TlsMode.OFF, LAG_THRESHOLD, maxReplayDelay, 100, Optional.empty(), "t:2:1"),
                new BackendConfig(C, TlsMode.OFF, LAG_THRESHOLD, maxReplayDelay, 100, Optional.empty(), "t:3:1")));
    }

    private static ProbeOutcome primary(Endpoint e, long wal, long timeline) {
        return ProbeOutcome.answered(e, new Probe(Role.PRIMARY, wal, Optional.empty(), OptionalLong.of(timeline),
                WalReceiver.NONE, false), NOW);
    }

    private static ProbeOutcome streaming(Endpoint e, long wal, long timeline) {
        return replica(e, wal, OptionalLong.of(timeline), WalReceiver.STREAMING, false);
    }

    /** A replica without a WAL receiver: cut off from its upstream, or restoring from an archive. */
    private static ProbeOutcome noReceiver(Endpoint e, long wal) {
        return replica(e, wal, OptionalLong.empty(), WalReceiver.NONE, false);
    }

    private static ProbeOutcome replica(Endpoint e, long wal, OptionalLong timeline, WalReceiver receiver,
            boolean paused) {
        return ProbeOutcome.answered(e, new Probe(Role.REPLICA, wal, Optional.of(Duration.ZERO), timeline, receiver,
                paused), NOW);
    }

    private static ProbeOutcome delayed(Endpoint e, long wal, Duration delay) {
        return ProbeOutcome.answered(e, new Probe(Role.REPLICA, wal, Optional.of(delay), OptionalLong.of(1),
                WalReceiver.STREAMING, false), NOW);
    }

    private static ClusterDecider.Round decide(ClusterSnapshot before, ProbeOutcome... outcomes) {
        return ClusterDecider.decide(before, List.of(outcomes), NOW);
    }

    private static BackendState state(ClusterSnapshot s, Endpoint e) {
        return s.backend(e).orElseThrow();
    }

    private static List<ClusterEvent> eventsAbout(ClusterDecider.Round r, Endpoint e) {
        return r.events().stream().filter(ev -> ev.message().contains(e.toString())).toList();
    }

    /** A primary A on timeline 1 with B and C streaming from it, caught up. */
    private static ClusterSnapshot healthy() {
        return decide(initial(), primary(A, 5000, 1), streaming(B, 5000, 1), streaming(C, 5000, 1)).snapshot();
    }

    @Test
    void streamingReplicasOnThePrimarysTimelineServeReads() {
        ClusterSnapshot s = healthy();
        assertEquals(Following.STREAMING, state(s, B).following());
        assertEquals(List.of(B, C), s.eligibleReplicas().stream().map(BackendState::address).toList());
    }

    @Test
    void theReplicaLeftBehindByAPromotionServesNoReadsThoughItsLagIsSmall() {
        // A stops: B and C lose their receivers. Nothing to measure against, so they keep serving reads.
        ClusterSnapshot primaryLost = decide(healthy(), down(A), noReceiver(B, 5000), noReceiver(C, 5000)).snapshot();
        assertEquals(List.of(B, C), primaryLost.eligibleReplicas().stream().map(BackendState::address).toList());

        // B is promoted onto timeline 2 (its WAL moves on from the fork point); C follows nothing.
        ClusterDecider.Round promoted = decide(primaryLost, down(A), primary(B, 5100, 2), noReceiver(C, 5000));
        BackendState c = state(promoted.snapshot(), C);
        assertEquals(100, c.lagBytes(), "well within the threshold: lag alone would keep it");
        assertEquals(Status.OK, c.status());
        assertEquals(Role.REPLICA, c.role());
        assertEquals(Following.ORPHANED, c.following());
        assertFalse(c.isEligibleForReads());
        assertEquals(List.of(), promoted.snapshot().eligibleReplicas());
        List<ClusterEvent> warned = eventsAbout(promoted, C);
        assertEquals(1, warned.size(), warned.toString());
        assertEquals(Level.WARN, warned.get(0).level());
        assertTrue(warned.get(0).message().contains("orphaned"), warned.get(0).message());

        // An idle primary gives no new evidence: still orphaned, and no second warning.
        ClusterDecider.Round idle = decide(promoted.snapshot(), down(A), primary(B, 5100, 2), noReceiver(C, 5000));
        assertEquals(Following.ORPHANED, state(idle.snapshot(), C).following());
        assertEquals(List.of(), eventsAbout(idle, C));

        // Re-pointed at B, C streams on timeline 2: it follows again, said once at INFO.
        ClusterDecider.Round repointed = decide(idle.snapshot(), down(A), primary(B, 5200, 2), streaming(C, 5200, 2));
        assertTrue(state(repointed.snapshot(), C).isEligibleForReads());
        List<ClusterEvent> followsAgain = eventsAbout(repointed, C);
        assertEquals(1, followsAgain.size(), followsAgain.toString());
        assertEquals(Level.INFO, followsAgain.get(0).level());
    }

    @Test
    void aReplicaStreamingOnAnotherTimelineFollowsSomeOtherNode() {
        ClusterSnapshot s = decide(healthy(), primary(A, 5100, 2), streaming(B, 5100, 2), streaming(C, 5050, 1))
                .snapshot();
        assertEquals(Following.OTHER_TIMELINE, state(s, C).following());
        assertFalse(state(s, C).isEligibleForReads());
        assertTrue(state(s, B).isEligibleForReads());
    }

    @Test
    void aPausedReplicaIsOutOnlyOnceThePrimaryMovedPastTheThreshold() {
        ClusterSnapshot within = decide(healthy(), primary(A, 5500, 1),
                replica(B, 5000, OptionalLong.of(1), WalReceiver.STREAMING, true), streaming(C, 5500, 1)).snapshot();
        assertEquals(Following.STREAMING, state(within, B).following());
        assertTrue(state(within, B).isEligibleForReads(), "paused, but what it serves is within the threshold");

        ClusterSnapshot beyond = decide(within, primary(A, 9000, 1),
                replica(B, 5000, OptionalLong.of(1), WalReceiver.STREAMING, true), streaming(C, 9000, 1)).snapshot();
        assertEquals(Following.REPLAY_PAUSED, state(beyond, B).following());
        assertFalse(state(beyond, B).isEligibleForReads());
    }

    @Test
    void anArchiveReplicaFollowsWhileItsReplayMovesWithThePrimary() {
        ClusterSnapshot start = decide(initial(), primary(A, 5000, 1), noReceiver(B, 5000), noReceiver(C, 5000))
                .snapshot();
        assertEquals(Following.ARCHIVE, state(start, B).following(), "at the primary's position");

        ClusterSnapshot moving = decide(start, primary(A, 5600, 1), noReceiver(B, 5400), noReceiver(C, 5000))
                .snapshot();
        assertEquals(Following.ARCHIVE, state(moving, B).following(), "moved while the primary moved");
        assertEquals(Following.ORPHANED, state(moving, C).following(), "stood still while the primary moved");

        ClusterSnapshot idle = decide(moving, primary(A, 5600, 1), noReceiver(B, 5400), noReceiver(C, 5000))
                .snapshot();
        assertEquals(Following.ARCHIVE, state(idle, B).following(), "an idle primary proves nothing either way");
        assertEquals(Following.ORPHANED, state(idle, C).following());

        ClusterSnapshot farBehind = decide(idle, primary(A, 9000, 1), noReceiver(B, 5500), noReceiver(C, 5000))
                .snapshot();
        assertEquals(Following.ORPHANED, state(farBehind, B).following(), "moving, but past the lag threshold");
    }

    @Test
    void aReplicaFirstSeenWithoutReceiverIsNotTrustedUntilItProvesToFollow() {
        ClusterSnapshot s = decide(initial(), primary(A, 5000, 1), streaming(B, 5000, 1), noReceiver(C, 4900))
                .snapshot();
        assertEquals(Following.ORPHANED, state(s, C).following());
    }

    @Test
    void probesOfAnOlderHealthCheckAreTrustedAsBefore() {
        ClusterSnapshot s = decide(initial(),
                ProbeOutcome.answered(A, new Probe(Role.PRIMARY, 5100, Optional.empty()), NOW),
                ProbeOutcome.answered(B, new Probe(Role.REPLICA, 5000, Optional.empty()), NOW),
                ProbeOutcome.answered(C, new Probe(Role.REPLICA, 5000, Optional.empty()), NOW)).snapshot();
        assertEquals(Following.UNKNOWN, state(s, B).following());
        assertEquals(List.of(B, C), s.eligibleReplicas().stream().map(BackendState::address).toList());
    }

    @Test
    void aReceiverWhoseDetailsAreHiddenIsTrustedButTimelinesStillCount() {
        ClusterSnapshot s = decide(healthy(), primary(A, 5000, 1),
                replica(B, 5000, OptionalLong.empty(), WalReceiver.UNKNOWN, false),
                replica(C, 5000, OptionalLong.of(3), WalReceiver.UNKNOWN, false)).snapshot();
        assertEquals(Following.UNKNOWN, state(s, B).following());
        assertTrue(state(s, B).isEligibleForReads());
        assertEquals(Following.OTHER_TIMELINE, state(s, C).following());
    }

    @Test
    void aReplicaPastItsMaxReplayDelayServesNoReadsUntilItIsBackWithin() {
        ClusterSnapshot limited = initial(Duration.ofSeconds(1));
        ClusterDecider.Round slow = decide(limited, primary(A, 5000, 1), delayed(B, 5000, Duration.ofSeconds(3)),
                delayed(C, 5000, Duration.ofMillis(300)));
        BackendState b = state(slow.snapshot(), B);
        assertTrue(b.isDelayed());
        assertFalse(b.isEligibleForReads());
        assertEquals(Status.OK, b.status());
        assertTrue(state(slow.snapshot(), C).isEligibleForReads());
        List<ClusterEvent> warned = eventsAbout(slow, B).stream()
                .filter(ev -> ev.message().contains("max_replay_delay")).toList();
        assertEquals(1, warned.size(), warned.toString());
        assertEquals(Level.WARN, warned.get(0).level());

        ClusterDecider.Round back = decide(slow.snapshot(), primary(A, 5000, 1),
                delayed(B, 5000, Duration.ofMillis(200)), delayed(C, 5000, Duration.ofMillis(300)));
        assertTrue(state(back.snapshot(), B).isEligibleForReads());
        List<ClusterEvent> backWithin = eventsAbout(back, B);
        assertEquals(1, backWithin.size(), backWithin.toString());
        assertEquals(Level.INFO, backWithin.get(0).level());
    }

    @Test
    void withoutMaxReplayDelayAnyDelayIsAccepted() {
        ClusterSnapshot s = decide(initial(), primary(A, 5000, 1), delayed(B, 5000, Duration.ofHours(2)),
                streaming(C, 5000, 1)).snapshot();
        assertFalse(state(s, B).isDelayed());
        assertTrue(state(s, B).isEligibleForReads());
    }

    private static ProbeOutcome down(Endpoint e) {
        return ProbeOutcome.failed(e, "connection refused", NOW);
    }
}
