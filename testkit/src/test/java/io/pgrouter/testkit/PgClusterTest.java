package io.pgrouter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The testkit against itself: real servers, real replication. */
class PgClusterTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    @Test
    void primaryWithTwoReplicasReplicatesPausesPromotesAndCleansUp() throws Exception {
        Path data;
        try (PgCluster cluster = PgCluster.start(2)) {
            data = cluster.primary().dataDirectory();
            assertEquals(3, cluster.nodes().size());
            assertFalse(cluster.primary().isInRecovery());
            for (PgNode r : cluster.replicas()) {
                assertTrue(r.isInRecovery(), r + " is a hot standby");
            }

            cluster.primary().execute("create table t (id int primary key)");
            cluster.primary().execute("insert into t values (1)");
            cluster.awaitReplicasCaughtUp(CATCH_UP);
            for (PgNode r : cluster.replicas()) {
                assertEquals(1, count(r, "select count(*) from t"), r + " sees the committed row");
            }

            PgNode paused = cluster.replicas().get(0);
            paused.pauseReplay();
            PgCluster.await(CATCH_UP, () -> "paused".equals(PgCluster.queryString(paused, "select pg_get_wal_replay_pause_state()")),
                    "replay did not pause");
            cluster.primary().execute("insert into t values (2)");
            assertThrows(IllegalStateException.class, () -> cluster.awaitReplicasCaughtUp(Duration.ofSeconds(1)),
                    "a paused replica cannot catch up");
            assertEquals(1, count(paused, "select count(*) from t"), "the paused replica does not see the new row");
            paused.resumeReplay();
            cluster.awaitReplicasCaughtUp(CATCH_UP);
            assertEquals(2, count(paused, "select count(*) from t"));

            PgNode other = cluster.replicas().get(1);
            other.stop();
            assertFalse(other.isRunning());
            other.start();
            assertTrue(other.isRunning());

            PgNode oldPrimary = cluster.primary();
            oldPrimary.stop();
            cluster.promote(paused);
            assertEquals(paused, cluster.primary());
            paused.execute("insert into t values (3)");
            assertEquals(3, count(paused, "select count(*) from t"));
            assertThrows(SQLException.class, () -> oldPrimary.connect().close(), "the old primary is down");
        }
        assertFalse(Files.exists(data), "close() removes the cluster's files");
    }

    @Test
    void scramAuthenticationNeedsThePassword() throws Exception {
        try (PgCluster cluster = PgCluster.builder().replicas(0).hbaMethod("scram-sha-256").superuserPassword("s3cret").start()) {
            try (Connection c = cluster.primary().connect()) {
                assertTrue(c.isValid(5));
            }
            SQLException wrong = assertThrows(SQLException.class,
                    () -> cluster.primary().connect("postgres", "postgres", "wrong").close());
            assertEquals("28P01", wrong.getSQLState());
        }
    }

    private static long count(PgNode node, String sql) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
