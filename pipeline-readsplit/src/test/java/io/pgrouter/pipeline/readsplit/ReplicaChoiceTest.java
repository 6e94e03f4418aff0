package io.pgrouter.pipeline.readsplit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplicaChoiceTest {
    private static final Endpoint PRIMARY = new Endpoint("10.0.0.1", 5432);
    private static final Endpoint A = new Endpoint("10.0.0.2", 5432);
    private static final Endpoint B = new Endpoint("10.0.0.3", 5432);
    private static final Endpoint LAGGING = new Endpoint("10.0.0.4", 5432);

    private static final Map<Endpoint, Integer> TIED = Map.of(A, 0, B, 2, LAGGING, 9);

    @Test
    void tiesArePickedByWeightAmongEligibleReplicasOnly() {
        ClusterSnapshot s = snapshot(10, replica(A, 100, 0), replica(B, 300, 0), replica(LAGGING, 1000, 5_000));
        Map<Endpoint, Integer> picks = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 40_000; i++) {
            // Loads that give every replica the same share (1/100 = 3/300 = 10/1000): the tie is
            // broken at random by weight, and the lagging replica is not among the candidates.
            picks.merge(ReplicaChoice.leastLoaded(s, TIED::get, random::nextInt, e -> false).orElseThrow().address(), 1,
                    Integer::sum);
        }
        assertEquals(null, picks.get(LAGGING), "a replica past its lag threshold serves no reads");
        double shareB = picks.get(B) / 40_000.0;
        assertTrue(Math.abs(shareB - 0.75) < 0.02, "weights 100:300 give B three quarters, got " + shareB);
    }

    @Test
    void noEligibleReplicaMeansNone() {
        assertEquals(Optional.empty(), ReplicaChoice.leastLoaded(snapshot(1, replica(LAGGING, 100, 5_000)), e -> 0, n -> 0, e -> false));
        assertEquals(Optional.empty(), ReplicaChoice.leastLoaded(snapshot(1, replica(A, 0, 0)), e -> 0, n -> 0, e -> false), "weight 0: never");
    }

    @Test
    void sessionsGoToTheReplicaWithTheFewestForItsWeight() {
        ClusterSnapshot s = snapshot(10, replica(A, 100, 0), replica(B, 100, 0), replica(LAGGING, 100, 5_000));
        Map<Endpoint, Integer> load = new HashMap<>();
        Random random = new Random(7);
        for (int session = 0; session < 8; session++) {
            Endpoint chosen = ReplicaChoice.leastLoaded(s, e -> load.getOrDefault(e, 0), random::nextInt, e -> false)
                    .orElseThrow().address();
            load.merge(chosen, 1, Integer::sum);
        }
        assertEquals(Map.of(A, 4, B, 4), load, "eight sessions, two equal replicas: four each, whatever the dice");

        ClusterSnapshot weighted = snapshot(10, replica(A, 100, 0), replica(B, 300, 0));
        Map<Endpoint, Integer> byWeight = new HashMap<>();
        for (int session = 0; session < 8; session++) {
            Endpoint chosen = ReplicaChoice.leastLoaded(weighted, e -> byWeight.getOrDefault(e, 0), random::nextInt,
                    e -> false).orElseThrow().address();
            byWeight.merge(chosen, 1, Integer::sum);
        }
        assertEquals(Map.of(A, 2, B, 6), byWeight, "weights 100:300 give B three quarters of the sessions");
        assertEquals(Optional.of(B), ReplicaChoice.leastLoaded(s, e -> 0, random::nextInt, A::equals)
                .map(BackendState::address), "a replica that just failed a login is left out");
    }

    @Test
    void aSessionLeavesItsReplicaOnlyWhileAnotherIsBetterEvenAfterTheMove() {
        ClusterSnapshot s = snapshot(10, replica(A, 100, 0), replica(B, 100, 0));
        assertTrue(ReplicaChoice.overloaded(s, A, e -> e.equals(A) ? 8 : 0), "B recovered with no session: move");
        assertTrue(ReplicaChoice.overloaded(s, A, e -> e.equals(A) ? 5 : 3));
        assertFalse(ReplicaChoice.overloaded(s, A, e -> e.equals(A) ? 4 : 3), "4 and 3 would become 3 and 4: stay");
        assertFalse(ReplicaChoice.overloaded(s, A, e -> 4), "even: stay");
        assertFalse(ReplicaChoice.overloaded(snapshot(10, replica(A, 100, 0), replica(B, 100, 5_000)), A, e -> e.equals(A) ? 8 : 0),
                "a lagging replica takes no sessions");
        assertFalse(ReplicaChoice.overloaded(s, new Endpoint("127.0.0.1", 1), e -> 8), "a replica no longer configured: no move");
    }

    @Test
    void aReplicaStaysEligibleOnlyWhileTheSnapshotSaysSo() {
        ClusterSnapshot s = snapshot(10, replica(A, 100, 0), replica(B, 100, 5_000));
        assertTrue(ReplicaChoice.stillEligible(s, A));
        assertFalse(ReplicaChoice.stillEligible(s, B), "lagging past its threshold");
        assertFalse(ReplicaChoice.stillEligible(s, PRIMARY), "the primary is not a replica");
        assertFalse(ReplicaChoice.stillEligible(s, new Endpoint("127.0.0.1", 1)), "removed from the configuration");
    }

    @Test
    void aReadThatMustSeeAWriteGoesFirstToAReplicaKnownToHaveReplayedIt() {
        ClusterSnapshot s = snapshot(10, replica(A, 100, 0), replica(B, 100, 0));
        java.util.Map<Endpoint, Long> replayed = java.util.Map.of(A, 1_000L, B, 2_000L);
        assertEquals(B, ReplicaChoice.forRead(s, e -> e.equals(B) ? 7 : 0, bound -> 0, e -> false, replayed::get, 1_500)
                .orElseThrow().address(), "the less loaded A has not replayed the write");
        assertEquals(A, ReplicaChoice.forRead(s, e -> e.equals(B) ? 7 : 0, bound -> 0, e -> false, replayed::get, 2_001)
                .orElseThrow().address(), "none has: the least loaded, to be asked");
        assertEquals(A, ReplicaChoice.forRead(s, e -> e.equals(B) ? 7 : 0, bound -> 0, B::equals, replayed::get, 1_500)
                .orElseThrow().address(), "one the session cannot log into is left out");
        assertTrue(ReplicaChoice.forRead(snapshot(10), e -> 0, bound -> 0, e -> false, replayed::get, 0).isEmpty());
        assertTrue(ReplicaChoice.hasReplayed(2_000, 2_000), "replayed up to the position itself is enough");
        assertFalse(ReplicaChoice.hasReplayed(1_999, 2_000));
    }

    private static ClusterSnapshot snapshot(long generation, BackendState... replicas) {
        BackendState primary = new BackendState(PRIMARY, TlsMode.OFF, 100, 1000, Role.PRIMARY, Status.OK, 0,
                Optional.empty(), Instant.now(), Optional.empty());
        List<BackendState> all = new java.util.ArrayList<>(List.of(primary));
        all.addAll(List.of(replicas));
        return new ClusterSnapshot(all, Optional.of(primary), false, generation, Instant.now());
    }

    private static BackendState replica(Endpoint address, int weight, long lag) {
        return new BackendState(address, TlsMode.OFF, weight, 1000, Role.REPLICA, Status.OK, lag, Optional.empty(),
                Instant.now(), Optional.empty());
    }
}
