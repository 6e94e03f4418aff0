package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pool does between clients: {@code min_pool_size} keeps connections open once the pool was
 * used, {@code server_check_query} keeps a connection that went bad while pooled from ever reaching
 * a client, a backend's own {@code pool_size} applies and a reload changes it. The primary's
 * {@code pg_stat_activity} is the judge. One cluster and one pgrouter (transaction pipeline) for all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolChecksIT {
    private static final String APPLICATION = "poolchecks";

    @TempDir
    static Path dir;
    static PgCluster cluster;
    static PgrouterProcess router;

    @BeforeAll
    static void start() throws Exception {
        cluster = PgCluster.builder().replicas(0).start();
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
            s.execute("create function pgrouter_check() returns int language sql as 'select 1'");
        }
        Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
        router = PgrouterProcess.start(dir, config(4));
    }

    /** The configuration, with the primary's own pool_size. */
    private static String config(int primaryPoolSize) {
        return """
                listen 127.0.0.1:${port}
                monitor 127.0.0.1:${monitor}
                workers 2
                pipeline transaction
                hba %s
                health { timeout 2s; check 250ms; database postgres; username %s }
                pool { pool_size 10; min_pool_size 3; query_wait_timeout 1s; server_check_delay 0; server_check_query "select pgrouter_check()" }
                backend %s { pool_size %d }
                """.formatted(dir.resolve("hba.conf"), cluster.superuser(), Configs.address(cluster.primary()),
                primaryPoolSize);
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            PgrouterProcess.stopBoth(router, cluster);
        } else if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void minPoolSizeKeepsConnectionsOpenOnceThePoolWasUsed() throws Exception {
        assertEquals(0, pgrouterBackends().size(), "nothing opened before a client came");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("select 1");
        }
        try {
            Await.until(Duration.ofSeconds(10), "min_pool_size 3 connections open", () -> pgrouterBackends().size() == 3);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + pgrouterBackends() + "\n" + router.log(), e);
        }

        terminate(pgrouterBackends());
        Await.until(Duration.ofSeconds(10), "the pool is back at min_pool_size after its servers ended",
                () -> pgrouterBackends().size() == 3);
    }

    @Test
    @Order(2)
    void aConnectionThatFailsTheCheckIsClosedAndTheClientServedOnAFreshOne() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("select 1");
        }
        Await.until(Duration.ofSeconds(10), "pooled connections idle", () -> pgrouterBackends().size() >= 3);
        Set<Integer> pooled = pgrouterBackends();
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
            s.execute("create or replace function pgrouter_check() returns int language sql as 'select 1/0'");
        }
        try {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                int pid = pid(s);
                assertFalse(pooled.contains(pid), "served on a fresh connection, not one that failed the check");
            }
            // Those the client's worker tried failed the check and are gone (the other worker's wait for their next client).
            Await.until(Duration.ofSeconds(10), "a connection that failed the check is closed",
                    () -> !pgrouterBackends().containsAll(pooled));
            assertTrue(router.log().contains("failed server_check_query"), router.log());
        } finally {
            try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
                s.execute("create or replace function pgrouter_check() returns int language sql as 'select 1'");
            }
        }
    }

    @Test
    @Order(3)
    void aBackendsOwnPoolSizeHoldsAndAReloadChangesIt() throws Exception {
        assertEquals(4, mostServedAtOnce(5), "the backend's pool_size 4, not the pool block's 10");
        Files.writeString(dir.resolve("pgrouter.conf"), config(2).replace("${port}", String.valueOf(router.port))
                .replace("${monitor}", String.valueOf(router.monitorPort)));
        router.signal("HUP");
        Await.until(Duration.ofSeconds(10), "the reload took effect", () -> mostServedAtOnce(3) == 2);
    }

    @Test
    @Order(4)
    void aRestartedPrimaryLeavesNoDeadConnectionForAClient() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("select 1");
        }
        cluster.primary().stop();
        cluster.primary().start();
        router.awaitMonitor(Duration.ofSeconds(20), m -> m.contains(Configs.address(cluster.primary()) + " master OK"));
        for (int i = 0; i < 8; i++) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                assertTrue(pid(s) > 0, "served on a live connection");
            }
        }
    }

    /**
     * Opens {@code clients} sessions that each hold a transaction open, and counts those served
     * (the rest wait for query_wait_timeout and are told 53300).
     */
    private static int mostServedAtOnce(int clients) throws SQLException {
        List<Connection> open = new ArrayList<>();
        int served = 0;
        try {
            for (int i = 0; i < clients; i++) {
                try {
                    Connection c = connect();
                    open.add(c);
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("select 1");
                    }
                    served++;
                } catch (SQLException e) {
                    assertEquals("53300", e.getSQLState(), e.getMessage());
                }
            }
        } finally {
            for (Connection c : open) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the refused ones are closed already
                }
            }
        }
        return served;
    }

    private static Connection connect() throws SQLException {
        // In the startup message too (pgjdbc's ApplicationName is a SET after it): the pool's own logins carry it.
        return DriverManager.getConnection(router.jdbcUrl("postgres") + "&ApplicationName=" + APPLICATION
                + "&options=-c%20application_name%3D" + APPLICATION, cluster.superuser(), "");
    }

    private static int pid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The primary's backends that pgrouter opened for this test's clients. */
    private static Set<Integer> pgrouterBackends() throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select pid from pg_stat_activity where application_name = '" + APPLICATION + "'")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    private static void terminate(Set<Integer> pids) throws SQLException {
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
            for (int pid : pids) {
                s.execute("select pg_terminate_backend(" + pid + ")");
            }
        }
    }
}
