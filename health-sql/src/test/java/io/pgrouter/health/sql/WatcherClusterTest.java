package io.pgrouter.health.sql;

import static io.pgrouter.health.sql.ClusterFixture.CHECK;
import static io.pgrouter.health.sql.ClusterFixture.TIMEOUT;
import static io.pgrouter.health.sql.ClusterFixture.await;
import static io.pgrouter.health.sql.ClusterFixture.endpoint;
import static io.pgrouter.health.sql.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.Watcher;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher with the SQL health check against a real primary and two replicas. Every wait has
 * a deadline derived from the check interval and timeout; none is a fixed sleep.
 */
class WatcherClusterTest {
    /** Margin for a round to finish and publish after the event, on a loaded 2-core machine. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final long LAG_THRESHOLD = 64 * 1024;

    /** For the tests that leave the cluster as they found it; started by the first of them. */
    private static PgCluster shared;

    private PgCluster cluster;
    private boolean ownsCluster;
    private ClusterState state;
    private Watcher watcher;

    /** Starts a watcher over the shared cluster, or over a fresh one for a test that breaks it. */
    private void start(boolean breaksTheCluster) throws Exception {
        if (breaksTheCluster) {
            cluster = PgCluster.start(2);
            ownsCluster = true;
        } else {
            if (shared == null) {
                shared = PgCluster.start(2);
            }
            cluster = shared;
        }
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        List<BackendConfig> backends = ClusterFixture.backends(cluster.nodes(), LAG_THRESHOLD);
        state = new ClusterState(backends);
        watcher = ClusterFixture.watcher(backends, state);
        assertTrue(watcher.awaitFirstRound(Duration.ofSeconds(10)), "first round published");
    }

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (ownsCluster) {
            cluster.close();
        }
    }

    @AfterAll
    static void stopShared() throws Exception {
        if (shared != null) {
            shared.close();
        }
    }

    private static Duration oneRound() {
        return CHECK.plus(TIMEOUT).plus(SLACK);
    }

    private static boolean allOk(ClusterSnapshot s) {
        return s.backends().stream().allMatch(BackendState::isOk);
    }

    @Test
    void allThreeOkWithTheirRoles() throws Exception {
        start(false);
        ClusterSnapshot s = await(state, oneRound(), "all OK", WatcherClusterTest::allOk);
        assertEquals(Optional.of(endpoint(cluster.primary())), s.primary().map(BackendState::address));
        assertEquals(Role.PRIMARY, state(s, cluster.primary()).role());
        for (PgNode replica : cluster.replicas()) {
            assertEquals(Role.REPLICA, state(s, replica).role());
            assertTrue(state(s, replica).isEligibleForReads(), "caught-up replica serves reads");
        }
        assertTrue(!s.splitBrain());
        long generation = s.generation();
        await(state, oneRound(), "a later round", snap -> snap.generation() > generation);
    }

    @Test
    void stoppedReplicaFailsWithinOneRoundAndRecoversAfterRestart() throws Exception {
        start(false);
        await(state, oneRound(), "all OK", WatcherClusterTest::allOk);
        PgNode replica = cluster.replicas().get(0);
        replica.stop();
        long stoppedAt = System.nanoTime();
        ClusterSnapshot s = await(state, oneRound(), "replica FAILED", snap -> state(snap, replica).status() == Status.FAILED);
        long tookMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        assertTrue(tookMillis <= oneRound().toMillis(), "seen after " + tookMillis + "ms");
        assertTrue(state(s, replica).error().isPresent(), "a failure says why");
        assertTrue(s.primary().isPresent(), "a lost replica does not disturb the primary");

        replica.start();
        s = await(state, Duration.ofSeconds(15), "replica OK again", snap -> state(snap, replica).isOk());
        assertEquals(Role.REPLICA, state(s, replica).role());
    }

    @Test
    void pausedReplayGrowsLagPastTheThresholdAndResumeRestoresReads() throws Exception {
        start(false);
        await(state, oneRound(), "all OK", WatcherClusterTest::allOk);
        PgNode paused = cluster.replicas().get(0);
        PgNode other = cluster.replicas().get(1);
        paused.pauseReplay();
        try (Connection c = cluster.primary().connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS lag_test (id int, filler text)");
            st.execute("INSERT INTO lag_test SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g");
            ClusterSnapshot first = await(state, oneRound(), "lag past the threshold",
                    snap -> state(snap, paused).isLagging());
            long lag1 = state(first, paused).lagBytes();
            assertTrue(lag1 > LAG_THRESHOLD, "lag " + lag1);
            assertTrue(!state(first, paused).isEligibleForReads());
            assertTrue(!first.eligibleReplicas().stream().map(BackendState::address).toList().contains(endpoint(paused)));

            st.execute("INSERT INTO lag_test SELECT g, repeat('y', 200) FROM generate_series(1, 2000) g");
            await(state, oneRound(), "lag growing", snap -> state(snap, paused).lagBytes() > lag1);
            await(state, oneRound(), "the other replica unaffected by the pause",
                    snap -> state(snap, other).isEligibleForReads());
        }
        paused.resumeReplay();
        ClusterSnapshot s = await(state, Duration.ofSeconds(15), "eligible again after resume",
                snap -> state(snap, paused).isEligibleForReads());
        assertTrue(state(s, paused).lagBytes() <= LAG_THRESHOLD);
    }

    @Test
    void promotedReplicaBecomesThePrimaryWithinOneInterval() throws Exception {
        start(true);
        await(state, oneRound(), "all OK", WatcherClusterTest::allOk);
        PgNode oldPrimary = cluster.primary();
        PgNode promoted = cluster.replicas().get(0);
        oldPrimary.stop();
        await(state, oneRound(), "old primary FAILED", snap -> state(snap, oldPrimary).status() == Status.FAILED);
        cluster.promote(promoted);
        long promotedAt = System.nanoTime();
        ClusterSnapshot s = await(state, oneRound(), "promoted node as primary",
                snap -> snap.primary().map(BackendState::address).equals(Optional.of(endpoint(promoted))));
        long tookMillis = (System.nanoTime() - promotedAt) / 1_000_000;
        assertTrue(tookMillis <= oneRound().toMillis(), "seen after " + tookMillis + "ms");
        assertEquals(Role.PRIMARY, state(s, promoted).role());
        assertTrue(!s.splitBrain());
    }

    @Test
    void splitBrainKeepsTheTrustedPrimary() throws Exception {
        start(true);
        await(state, oneRound(), "all OK", WatcherClusterTest::allOk);
        PgNode trusted = cluster.primary();
        PgNode rogue = cluster.replicas().get(0);
        cluster.promote(rogue);
        ClusterSnapshot s = await(state, oneRound(), "split brain", ClusterSnapshot::splitBrain);
        assertEquals(Optional.of(endpoint(trusted)), s.primary().map(BackendState::address),
                "writes stay on the primary trusted before");
        assertEquals(Role.PRIMARY, state(s, rogue).role());
        long generation = s.generation();
        ClusterSnapshot later = await(state, oneRound(), "a later round", snap -> snap.generation() > generation + 1);
        assertTrue(later.splitBrain());
        assertEquals(Optional.of(endpoint(trusted)), later.primary().map(BackendState::address),
                "never switches while the trusted primary lives");
    }
}
