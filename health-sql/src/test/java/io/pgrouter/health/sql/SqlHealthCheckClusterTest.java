package io.pgrouter.health.sql;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL probe against a real primary and replica. */
class SqlHealthCheckClusterTest {
    private static PgCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PgCluster.start(1);
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Probe probe(HealthCheck check, PgNode node) throws Exception {
        return check.probe(ClusterFixture.endpoint(node), TlsMode.OFF, Duration.ofSeconds(2));
    }

    @Test
    void rolesAndWalPositionsMatchTheServers() throws Exception {
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            Probe primary = probe(check, cluster.primary());
            Probe replica = probe(check, cluster.replicas().get(0));
            assertEquals(Role.PRIMARY, primary.role());
            assertEquals(Role.REPLICA, replica.role());
            assertTrue(primary.walPosition() > 0, "WAL position in bytes: " + primary.walPosition());
            assertTrue(replica.walPosition() > 0 && replica.walPosition() <= probe(check, cluster.primary()).walPosition());
            assertEquals(Optional.empty(), primary.replayDelay());
        }
    }

    @Test
    void caughtUpReplicaOfAnIdlePrimaryHasNoDelayHoweverOldItsLastCommit() throws Exception {
        PgNode replica = cluster.replicas().get(0);
        cluster.primary().execute("CREATE TABLE IF NOT EXISTS idle_guard (id int)");
        long committedAt = System.nanoTime();
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            // Wait (bounded) until the last commit is old enough that an unguarded
            // now() - pg_last_xact_replay_timestamp() would clearly show it.
            Probe p = Await.value(Duration.ofSeconds(20), Duration.ofMillis(100), "a replay delay reported by " + replica,
                    () -> probe(check, replica), probe -> System.nanoTime() - committedAt >= Duration.ofMillis(1500).toNanos()
                            && probe.replayDelay().isPresent());
            assertEquals(Optional.of(Duration.ZERO), p.replayDelay(),
                    "a caught-up replica of an idle primary has no delay, however old its last replayed commit");
        }
    }

    @Test
    void keepsOneConnectionPerBackendBetweenProbes() throws Exception {
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            for (int i = 0; i < 5; i++) {
                probe(check, cluster.primary());
            }
            try (Connection c = cluster.primary().connect(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgrouter-health'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void aKeptConnectionKilledBetweenProbesIsReplacedWithoutAFailure() throws Exception {
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            probe(check, cluster.primary());
            try (Connection c = cluster.primary().connect(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE application_name = 'pgrouter-health'")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the kept connection was there to kill");
            }
            assertEquals(Role.PRIMARY, probe(check, cluster.primary()).role());
        }
    }

    @Test
    void reconnectsAfterTheServerComesBack() throws Exception {
        PgNode replica = cluster.replicas().get(0);
        try (HealthCheck check = new SqlHealthCheckFactory().create(ClusterFixture.healthBlock())) {
            assertEquals(Role.REPLICA, probe(check, replica).role());
            replica.stop();
            try {
                Exception e = assertThrows(Exception.class, () -> probe(check, replica));
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            } finally {
                replica.start();
            }
            assertEquals(Role.REPLICA, probe(check, replica).role());
        }
    }
}
