package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The readsplit pipeline against a primary and two replicas: reads on replicas, writes and
 * transactions on the primary, refusals retried, session state carried over. Uses pgjdbc in
 * simple-query mode ({@code preferQueryMode=simple}) since version 1 routes simple queries only.
 */
class ReadsplitIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @BeforeAll
    static void start() throws Exception {
        fixture.cluster().primary().execute("create table items (id int primary key, v text)");
        fixture.cluster().primary().execute("create sequence s");
        fixture.cluster().primary().execute("""
                create function remember(t text) returns int language sql volatile
                as $$ insert into items values ((select coalesce(max(id), 0) + 1 from items), t) returning id $$""");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        // Reads go to replicas only once the watcher has seen them caught up.
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
    }

    @Test
    void aReadRunsOnAReplica() throws Exception {
        try (Connection c = connect()) {
            assertTrue(replicaPorts().contains(serverPort(c)), "a plain SELECT is served by a replica");
        }
    }

    @Test
    void writesGoToThePrimaryAndTheSessionReadsItsOwnWrites() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("insert into items values (1000, 'mine')");
            try (ResultSet rs = s.executeQuery("select v from items where id = 1000")) {
                assertTrue(rs.next(), "read-your-writes: the row is visible right after the insert");
                assertEquals("mine", rs.getString(1));
            }
        }
    }

    @Test
    void writeFunctionsAndTransactionsRunOnThePrimary() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select nextval('s'), inet_server_port()")) {
                assertTrue(rs.next());
                assertEquals(fixture.cluster().primary().port(), rs.getInt(2), "nextval writes: primary");
            }
            s.execute("begin");
            assertEquals(fixture.cluster().primary().port(), serverPort(c), "inside a transaction: primary");
            s.execute("commit");
        }
    }

    @Test
    void aStatementTheReplicaRefusesIsRetriedOnThePrimary() throws Exception {
        String marker = "retried-" + System.nanoTime();
        try (Connection c = connect(); Statement s = c.createStatement();
                // remember() looks like a read to the classifier but inserts: a replica refuses it.
                ResultSet rs = s.executeQuery("select remember('" + marker + "')")) {
            assertTrue(rs.next(), "the client sees the primary's answer, not the replica's error");
        }
        try (Connection direct = fixture.cluster().primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from items where v = '" + marker + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the write happened once, on the primary");
        }
    }

    @Test
    void extendedProtocolReadsRunOnAReplicaAndRefusalsAreRetried() throws Exception {
        String marker = "extended-" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), "postgres", "")) {
            // pgjdbc's default: the extended protocol, unnamed statements for the first executions,
            // then a named server-side statement (which lives on the primary).
            try (PreparedStatement ps = c.prepareStatement("select ?::int + 1, inet_server_port()")) {
                for (int i = 0; i < 8; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(i + 1, rs.getInt(1));
                        if (i == 0) {
                            assertTrue(replicaPorts().contains(rs.getInt(2)), () -> "an unnamed extended read runs on a replica:\n" + fixture.router().log());
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select remember(?)")) {
                ps.setString(1, marker);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), "the replica's refusal was retried on the primary");
                }
            }
        }
        try (Connection direct = fixture.cluster().primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from items where v = '" + marker + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void setSearchPathIsCarriedToTheReplica() throws Exception {
        fixture.cluster().primary().execute("create schema if not exists app");
        fixture.cluster().primary().execute("create table if not exists app.only_here (x int)");
        fixture.cluster().primary().execute("insert into app.only_here values (42)");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("set search_path = app, public");
            try (ResultSet rs = s.executeQuery("select x, inet_server_port() from only_here")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertTrue(replicaPorts().contains(rs.getInt(2)), "the read ran on a replica, with the session's search_path");
            }
        }
    }

    @Test
    void aTemporaryTablePinsTheSessionToThePrimary() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("create temp table scratch (x int)");
            s.execute("insert into scratch values (7)");
            try (ResultSet rs = s.executeQuery("select x, inet_server_port() from scratch")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
                assertEquals(fixture.cluster().primary().port(), rs.getInt(2));
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"simple", "extended", "prepared"})
    void pgbenchRunsWithoutErrorsAndReplicasServeTheSelectOnlyScript(String mode) throws Exception {
        ProcessResult init = pgbench("-i", "-s", "1", "-q");
        assertEquals(0, init.exitCode(), init.stderr());
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
        long before = replicaCommits();
        java.util.Map<String, Long> requestsBefore = requests();
        ProcessResult select = pgbench("-S", "-M", mode, "-c", "4", "-j", "2", "-t", "200");
        assertEquals(0, select.exitCode(), select.stdout() + select.stderr());
        assertTrue(select.stdout().contains("number of transactions actually processed: 800/800"), select.stdout());
        assertTrue(select.stdout().contains("number of failed transactions: 0"), select.stdout());
        long served = replicaCommits() - before;
        assertTrue(served >= 800, "the replicas served the -S reads in -M " + mode + ": " + served + " commits");
        // The monitor's counters show the same reads on the replicas.
        java.util.Map<String, Long> requestsAfter = requests();
        long counted = 0;
        for (PgNode r : fixture.cluster().replicas()) {
            counted += requestsAfter.getOrDefault(Configs.address(r), 0L) - requestsBefore.getOrDefault(Configs.address(r), 0L);
        }
        assertTrue(counted >= 800, "the monitor counted " + counted + " requests on replicas: " + requestsAfter);
        if (mode.equals("simple")) {
            // A session keeps the replica it first chose; 200 sessions show the weights (equal here).
            java.util.Map<String, Long> sessionsBefore = requests();
            ProcessResult connects = pgbench("-S", "-M", mode, "-C", "-c", "2", "-j", "2", "-t", "100");
            assertEquals(0, connects.exitCode(), connects.stdout() + connects.stderr());
            java.util.Map<String, Long> sessionsAfter = requests();
            for (PgNode r : fixture.cluster().replicas()) {
                long share = sessionsAfter.getOrDefault(Configs.address(r), 0L)
                        - sessionsBefore.getOrDefault(Configs.address(r), 0L);
                assertTrue(share >= 50, "replica " + r + " served " + share + " of 200 one-read sessions: " + sessionsAfter);
            }
        }
        ProcessResult tpcb = pgbench("-M", mode, "-c", "4", "-j", "2", "-t", "100");
        assertEquals(0, tpcb.exitCode(), tpcb.stdout() + tpcb.stderr());
        assertTrue(tpcb.stdout().contains("number of transactions actually processed: 400/400"), tpcb.stdout());
        assertTrue(tpcb.stdout().contains("number of failed transactions: 0"), tpcb.stdout());
        try (Connection direct = fixture.cluster().primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select (select sum(abalance) from pgbench_accounts) = "
                        + "(select sum(delta) from pgbench_history), (select count(*) from pgbench_history)")) {
            assertTrue(rs.next());
            assertTrue(rs.getBoolean(1), "TPC-B kept the books balanced");
            assertEquals(400, rs.getInt(2));
        }
    }

    @Test
    void cancelReachesTheReplicaRunningTheRead() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertTrue(replicaPorts().contains(serverPort(c)), "reads run on a replica");
            var cancelled = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    awaitSleeperOnAReplica();
                    s.cancel(); // pgjdbc sends a CancelRequest with pgrouter's key
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> s.executeQuery("select pg_sleep(60)"));
            cancelled.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
            assertTrue(replicaPorts().contains(serverPort(c)), "the session goes on after the cancel");
        }
    }

    private static void awaitSleeperOnAReplica() throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (PgNode replica : fixture.cluster().replicas()) {
                try (Connection c = replica.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "select count(*) from pg_stat_activity where query = 'select pg_sleep(60)' and state = 'active'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
            }
            try {
                Thread.sleep(50); // poll interval inside the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("pg_sleep never ran on a replica");
    }

    private static ProcessResult pgbench(String... args) {
        String[] command = new String[args.length + 8];
        command[0] = PgTools.bin("pgbench").toString();
        System.arraycopy(new String[] {"-h", "127.0.0.1", "-p", String.valueOf(fixture.router().port), "-U", "postgres"},
                0, command, 1, 6);
        System.arraycopy(args, 0, command, 7, args.length);
        command[command.length - 1] = "postgres";
        return PgTools.run(Duration.ofMinutes(2), Map.of(), command);
    }

    /** Transactions the replicas have run, from their own statistics. */
    /** The monitor's {@code requests HOST:PORT N} lines. */
    private static java.util.Map<String, Long> requests() throws java.io.IOException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        fixture.router().monitor().lines().filter(l -> l.startsWith("requests ")).map(l -> l.split(" "))
                .forEach(f -> out.put(f[1], Long.parseLong(f[2])));
        return out;
    }

    private static long replicaCommits() throws SQLException {
        long sum = 0;
        for (PgNode r : fixture.cluster().replicas()) {
            try (Connection c = r.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select xact_commit from pg_stat_database where datname = 'postgres'")) {
                rs.next();
                sum += rs.getLong(1);
            }
        }
        return sum;
    }

    private static Connection connect() throws SQLException {
        return java.sql.DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&preferQueryMode=simple",
                "postgres", "");
    }

    private static int serverPort(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Set<Integer> replicaPorts() {
        return fixture.cluster().replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }
}
