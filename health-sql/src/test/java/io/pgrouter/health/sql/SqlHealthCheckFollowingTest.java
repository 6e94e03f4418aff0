package io.pgrouter.health.sql;

import static io.pgrouter.health.sql.ClusterFixture.await;
import static io.pgrouter.health.sql.ClusterFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.Watcher;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.spi.health.WalReceiver;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the SQL probe reports about a replica's link to its primary, against real servers: a
 * streaming replica follows on the primary's timeline; after the primary stops and another
 * replica is promoted, the replica left behind does not, until it is re-pointed. The second test
 * breaks the cluster, so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqlHealthCheckFollowingTest {
    /** Margin for a round to finish and publish after the event, on a loaded 2-core machine. */
    private static final Duration FEW_ROUNDS = Duration.ofSeconds(15);
    private static final long LAG_THRESHOLD = 16L << 20;

    private static PgCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PgCluster.start(2);
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Probe probe(HealthCheck check, PgNode node) throws Exception {
        return check.probe(ClusterFixture.endpoint(node), TlsMode.OFF, Duration.ofSeconds(2));
    }

    @Test
    @Order(1)
    void aStreamingReplicaReportsItsReceiverTheTimelineAndAPause() throws Exception {
        PgNode replica = cluster.replicas().get(0);
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            Probe primary = probe(check, cluster.primary());
            assertEquals(OptionalLong.of(1), primary.timeline(), "a fresh cluster's primary writes timeline 1");
            assertEquals(WalReceiver.NONE, primary.walReceiver());
            assertFalse(primary.replayPaused());

            Probe streaming = probe(check, replica);
            assertEquals(WalReceiver.STREAMING, streaming.walReceiver());
            assertEquals(primary.timeline(), streaming.timeline());
            assertFalse(streaming.replayPaused());

            replica.pauseReplay();
            try {
                assertTrue(probe(check, replica).replayPaused());
            } finally {
                replica.resumeReplay();
            }
            assertFalse(probe(check, replica).replayPaused());
        }
    }

    @Test
    @Order(2)
    void theReplicaLeftBehindByAPromotionIsOrphanedUntilRepointed() throws Exception {
        PgNode oldPrimary = cluster.primary();
        PgNode promoted = cluster.replicas().get(0);
        PgNode leftBehind = cluster.replicas().get(1);
        List<BackendConfig> backends = ClusterFixture.backends(cluster.nodes(), LAG_THRESHOLD);
        ClusterState state = new ClusterState(backends);
        Watcher watcher = ClusterFixture.watcher(backends, state);
        try (watcher; HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            await(state, FEW_ROUNDS, "both replicas streaming",
                    s -> state(s, promoted).following() == Following.STREAMING
                            && state(s, leftBehind).following() == Following.STREAMING);

            oldPrimary.stop();
            await(state, FEW_ROUNDS, "old primary FAILED", s -> state(s, oldPrimary).status() == Status.FAILED);
            cluster.promote(promoted);

            Probe newPrimary = probe(check, promoted);
            assertEquals(Role.PRIMARY, newPrimary.role());
            assertEquals(OptionalLong.of(2), newPrimary.timeline(),
                    "the promoted node's timeline, at once (fast promotion takes no checkpoint yet)");
            assertNotEquals(WalReceiver.STREAMING, probe(check, leftBehind).walReceiver(), "its upstream is gone");

            ClusterSnapshot orphaned = await(state, FEW_ROUNDS, "left-behind replica orphaned",
                    s -> s.primary().map(BackendState::address).equals(Optional.of(ClusterFixture.endpoint(promoted)))
                            && state(s, leftBehind).following() == Following.ORPHANED);
            BackendState b = state(orphaned, leftBehind);
            assertEquals(Status.OK, b.status(), "it still answers");
            assertEquals(Role.REPLICA, b.role());
            assertTrue(b.lagBytes() < LAG_THRESHOLD, "its lag alone would keep it serving: " + b.lagBytes());
            assertFalse(b.isEligibleForReads());
            assertEquals(List.of(), orphaned.eligibleReplicas());

            leftBehind.follow(promoted);
            ClusterSnapshot following = await(state, Duration.ofSeconds(30), "re-pointed replica follows again",
                    s -> state(s, leftBehind).isEligibleForReads());
            assertEquals(Following.STREAMING, state(following, leftBehind).following());
            assertEquals(OptionalLong.of(2), probe(check, leftBehind).timeline());
        }
    }
}
