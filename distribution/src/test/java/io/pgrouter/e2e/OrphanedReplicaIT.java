package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary stops and replica 1 is promoted: replica 2 now follows nothing, yet it still
 * answers and its lag measured against the new primary (whose WAL continues from the fork point)
 * stays far under the threshold. pgrouter must stop sending it reads within a few health
 * intervals, and a client that writes and then counts through pgrouter must never see an old
 * count.
 */
class OrphanedReplicaIT {
    /** The fixture's health check runs every 250 ms: a few intervals, with room for a loaded machine. */
    private static final Duration FEW_INTERVALS = Duration.ofSeconds(10);
    private static final int READS = 40;
    private static final int WRITES_THEN_COUNTS = 30;

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @Test
    void theReplicaLeftBehindByAPromotionServesNoReads() throws Exception {
        PgCluster cluster = fixture.cluster();
        PgNode oldPrimary = cluster.primary();
        PgNode promoted = cluster.replicas().get(0);
        PgNode leftBehind = cluster.replicas().get(1);
        fixture.router().awaitMonitor(FEW_INTERVALS,
                m -> m.lines().filter(l -> l.contains(" slave OK ")).count() == 2);
        try (Connection c = fixture.connect(); Statement s = c.createStatement()) {
            s.execute("create table t (id int)");
            s.execute("insert into t select generate_series(1, 10)");
        }
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        Await.until(FEW_INTERVALS, "a read through pgrouter served by " + leftBehind,
                () -> readsServedBy(1).contains(leftBehind.port()));

        oldPrimary.stop();
        fixture.router().awaitMonitor(FEW_INTERVALS, m -> m.contains(Configs.address(oldPrimary) + " slave FAILED"));
        cluster.promote(promoted);

        String monitor = fixture.router().awaitMonitor(FEW_INTERVALS,
                m -> m.contains("primary " + Configs.address(promoted) + "\n")
                        && m.contains("not-following " + Configs.address(leftBehind) + " orphaned\n"));
        assertTrue(monitor.contains(Configs.address(leftBehind) + " slave OK "),
                "it still answers, so it stays OK:\n" + monitor);
        assertTrue(fixture.router().log().contains("replica " + Configs.address(leftBehind) + " does not follow"),
                "the orphaning is logged:\n" + fixture.router().log());

        Set<Integer> servers = readsServedBy(READS);
        assertEquals(Set.of(promoted.port()), servers,
                "with the only replica orphaned, every read goes to the new primary");

        writeThenCountNeverSeesAnOldCount(promoted);
    }

    /**
     * Writes through one pgrouter session and counts through another that never wrote (so
     * read-your-writes does not keep it on the primary): every count must include every write,
     * as the new primary's own count does.
     */
    private static void writeThenCountNeverSeesAnOldCount(PgNode primary) throws Exception {
        Await.until(FEW_INTERVALS, "a write through pgrouter reaching the new primary", () -> {
            try (Connection c = fixture.connect(); Statement s = c.createStatement()) {
                s.execute("insert into t values (0)");
                return true;
            }
        });
        try (Connection writer = fixture.connect(); Statement w = writer.createStatement();
                Connection reader = fixture.connect(); Statement r = reader.createStatement();
                Connection direct = primary.connect(); Statement d = direct.createStatement()) {
            for (int i = 0; i < WRITES_THEN_COUNTS; i++) {
                w.execute("insert into t values (" + i + ")");
                long onPrimary = count(d);
                long throughRouter = count(r);
                assertEquals(onPrimary, throughRouter, "write " + i + ": the count through pgrouter is stale ("
                        + "served by port " + port(r) + ")\n" + fixture.router().monitor());
            }
        }
    }

    /** The ports of the servers that answered {@code n} reads through pgrouter, each on a fresh session. */
    private static Set<Integer> readsServedBy(int n) throws SQLException {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < n; i++) {
            try (Connection c = fixture.connect(); Statement s = c.createStatement()) {
                ports.add(port(s));
            }
        }
        return ports;
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select count(*) from t")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static int port(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select inet_server_port()")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }
}
