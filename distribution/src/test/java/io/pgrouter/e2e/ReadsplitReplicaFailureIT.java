package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica that dies under readsplit sessions, with a watcher too slow to notice (one round an
 * hour): the sessions themselves must cope. A replica that refuses connections is logged into
 * and fails; a replica that dies mid-statement leaves the statement to the primary or fails it
 * with an error, and the session goes on. Never a hang: every client read has a socket timeout.
 */
class ReadsplitReplicaFailureIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", """
            health {
              timeout 2s
              check 1h
              database postgres
              username postgres
            }
            """);

    @BeforeAll
    static void eligible() throws Exception {
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK")).count() == 2);
    }

    @AfterEach
    void restartStoppedReplicas() {
        for (PgNode r : fixture.cluster().replicas()) {
            if (!r.isRunning()) {
                r.start();
            }
        }
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(60));
    }

    @Test
    void newSessionsFallBackToThePrimaryWhenTheReplicaRefusesConnections() throws Exception {
        PgNode stopped = fixture.cluster().replicas().get(0);
        stopped.stop();
        for (int i = 0; i < 20; i++) {
            // Each new session picks a replica at random from the stale snapshot: about half log
            // into the stopped one, fail to connect, and must run the read on the primary.
            try (Connection c = connect(); Statement s = c.createStatement()) {
                int port = port(s);
                assertNotEquals(stopped.port(), port, "a read answered by a stopped server?");
                assertTrue(port == fixture.cluster().primary().port() || replicaPorts().contains(port));
            }
        }
        String monitor = fixture.router().monitor();
        assertTrue(monitor.contains(Configs.address(stopped) + " slave OK"),
                "the watcher has not noticed, so sessions did try the stopped replica:\n" + monitor);
    }

    @Test
    void aReplicaStoppedMidStatementHandsTheStatementToThePrimary() throws Exception {
        dieMidStatement(PgNode::stop);
    }

    @Test
    void aReplicaKilledMidStatementHandsTheStatementToThePrimary() throws Exception {
        dieMidStatement(PgNode::kill);
    }

    private void dieMidStatement(Consumer<PgNode> death) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            PgNode replica = replicaOf(port(s));
            String sql = "select pg_sleep(3), inet_server_port()";
            CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertTrue(rs.next());
                    return rs.getInt(2);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitRunning(replica, sql);
            death.accept(replica);
            assertEquals(fixture.cluster().primary().port(), answer.get(60, TimeUnit.SECONDS),
                    "nothing of the replica's answer reached the client: the primary ran the statement");
            assertTrue(Set.of(fixture.cluster().primary().port(), otherReplica(replica).port()).contains(port(s)),
                    "the session goes on");
        }
    }

    @Test
    void aReplicaLostMidAnswerFailsTheStatementAndTheSessionGoesOn() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            PgNode replica = replicaOf(port(s));
            // Rows 1..2999 (about 1.5 MB) reach pgrouter, and the client, before row 3000 sleeps.
            String sql = "select g, repeat('x', 500) from generate_series(1, 3000) g where g < 3000 or pg_sleep(60) is not null";
            CompletableFuture<SQLException> failure = CompletableFuture.supplyAsync(
                    () -> assertThrows(SQLException.class, () -> s.executeQuery(sql).close()));
            awaitRunning(replica, sql);
            replica.stop();
            SQLException e = failure.get(60, TimeUnit.SECONDS);
            assertTrue(e.getMessage().contains("pgrouter"), () -> "pgrouter explains what happened: " + e);
            assertTrue(Set.of(fixture.cluster().primary().port(), otherReplica(replica).port()).contains(port(s)),
                    "the session goes on after the failed statement");
            try (ResultSet rs = s.executeQuery("select count(*) from generate_series(1, 10)")) {
                assertTrue(rs.next());
                assertEquals(10, rs.getInt(1));
            }
        }
    }

    private static void awaitRunning(PgNode replica, String sql) {
        Await.until(Duration.ofSeconds(20), "the statement runs on " + replica, () -> {
            try (Connection c = replica.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "select count(*) from pg_stat_activity where state = 'active' and wait_event = 'PgSleep' and query = '"
                            + sql.replace("'", "''") + "'")) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        });
    }

    private static PgNode replicaOf(int port) {
        return fixture.cluster().replicas().stream().filter(r -> r.port() == port).findFirst()
                .orElseThrow(() -> new AssertionError("the first read ran on " + port + ", not on a replica"));
    }

    private static PgNode otherReplica(PgNode replica) {
        return fixture.cluster().replicas().stream().filter(r -> r != replica).findFirst().orElseThrow();
    }

    private static Connection connect() throws SQLException {
        // A socket timeout turns a hang into a failure long before the JUnit timeout.
        return DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&preferQueryMode=simple",
                "postgres", "");
    }

    private static int port(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select inet_server_port()")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private static Set<Integer> replicaPorts() {
        return fixture.cluster().replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }
}
