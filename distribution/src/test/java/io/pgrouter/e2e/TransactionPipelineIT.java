package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction pipeline: primary connections lent per transaction and reused across clients. */
class TransactionPipelineIT {
    @TempDir
    static Path dir;
    static PgCluster cluster;
    static PgrouterProcess router;

    @BeforeAll
    static void start() throws Exception {
        cluster = PgCluster.start(0);
        cluster.primary().execute("create table tx(id int primary key, v text)");
        Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
        router = PgrouterProcess.start(dir, Configs.forCluster(cluster, "transaction", "hba " + dir.resolve("hba.conf")));
    }

    @AfterAll
    static void stop() throws Exception {
        PgrouterProcess.stopBoth(router, cluster);
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
    }

    @Test
    void connectPerTransactionReusesPrimaryConnections() throws Exception {
        long before = cluster.primary().sessionsStarted("postgres");
        ProcessResult r = PgTools.run(Duration.ofSeconds(90), Map.of(), PgTools.bin("pgbench").toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(router.port), "-U", cluster.superuser(), "-n", "-C", "-c", "4",
                "-t", "100", "-f", script("select count(*) from tx;").toString(), "postgres");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("number of transactions actually processed: 400/400"), r.output());
        long opened = cluster.primary().sessionsStarted("postgres") - before;
        // 400 client connections; without pooling each would have started a PostgreSQL backend.
        assertTrue(opened <= 20, "the primary started " + opened + " sessions for 400 client connections");
    }

    @Test
    void preparedStatementsFollowClientsAcrossPooledConnections() throws Exception {
        // pgbench -M prepared names its statements P_0, P_1, ... in every client: the same names,
        // on the same pooled connections, each client unaware of the others.
        for (String connect : new String[] {"-C", "-n"}) {
            ProcessResult r = PgTools.run(Duration.ofSeconds(90), Map.of(), PgTools.bin("pgbench").toString(),
                    "-h", "127.0.0.1", "-p", String.valueOf(router.port), "-U", cluster.superuser(), "-n", connect,
                    "-M", "prepared", "-c", "4", "-t", "100",
                    "-f", script("\\set id random(1, 1000)\nselect count(*) from tx where id = :id;").toString(),
                    "postgres");
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.stdout().contains("number of transactions actually processed: 400/400"), r.output());
            assertTrue(r.stdout().contains("number of failed transactions: 0"), r.output());
        }
        // pgjdbc with every statement named at once, two clients interleaving on the pool.
        try (Connection a = DriverManager.getConnection(router.jdbcUrl("postgres") + "&prepareThreshold=1",
                cluster.superuser(), "");
                Connection b = DriverManager.getConnection(router.jdbcUrl("postgres") + "&prepareThreshold=1",
                        cluster.superuser(), "")) {
            for (int i = 0; i < 50; i++) {
                for (Connection c : new Connection[] {a, b}) {
                    try (var ps = c.prepareStatement(c == a ? "select ?::int * 2" : "select ?::int * 3")) {
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertEquals(i * (c == a ? 2 : 3), rs.getInt(1));
                        }
                    }
                }
            }
        }
    }

    /**
     * pgjdbc names its server-prepared statements S_1, S_2, ... in every connection: on pooled
     * connections the same name means different SQL for different clients, with different
     * parameter counts. Every result must be the one the client's own SQL gives.
     */
    @Test
    void sameStatementNamesOfDifferentClientsNeverMeanEachOthersStatements() throws Exception {
        int clients = FullSize.pick(20, 50);
        long until = System.nanoTime() + Duration.ofSeconds(FullSize.pick(10, 60)).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                int me = client;
                runs.add(pool.submit(() -> bindOwnStatementsUntil(me, until)));
            }
            long total = 0;
            for (Future<Integer> run : runs) {
                int n = run.get(FullSize.pick(60, 180), TimeUnit.SECONDS);
                assertTrue(n > 10, "each client ran its statements many times");
                total += n;
            }
            System.out.println("TransactionPipelineIT: " + clients + " pgjdbc clients, colliding statement names: "
                    + total + " rounds of two statements, every result checked");
        } finally {
            pool.shutdownNow();
        }
    }

    /** One client's loop: its S_1 takes one or two parameters depending on the client, and its SQL says who it is. */
    private static int bindOwnStatementsUntil(int me, long until) throws SQLException {
        try (Connection c = DriverManager.getConnection(router.jdbcUrl("postgres")
                + "&prepareThreshold=1&socketTimeout=60", cluster.superuser(), "")) {
            String first = me % 2 == 0 ? "select ?::int * 1000 + " + me : "select ?::int * 1000 + ?::int * 0 + " + me;
            String second = "select ?::text || '/" + me + "'";
            int runs = 0;
            try (PreparedStatement a = c.prepareStatement(first); PreparedStatement b = c.prepareStatement(second)) {
                for (int i = 0; System.nanoTime() < until; i++, runs++) {
                    a.setInt(1, i);
                    if (me % 2 == 1) {
                        a.setInt(2, i);
                    }
                    try (ResultSet rs = a.executeQuery()) {
                        rs.next();
                        assertEquals(i * 1000 + me, rs.getInt(1), "client " + me + " got another statement's answer");
                    }
                    b.setString(1, "v" + i);
                    try (ResultSet rs = b.executeQuery()) {
                        rs.next();
                        assertEquals("v" + i + "/" + me, rs.getString(1), "client " + me + " got another statement's answer");
                    }
                }
            }
            return runs;
        }
    }

    @Test
    void aPooledConnectionWhoseServerEndedIsNeverHandedToAClient() throws Exception {
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // four clients at once: four pooled connections afterwards
                Connection c = connect();
                c.setAutoCommit(false);
                pid(c.createStatement());
                clients.add(c);
            }
        } finally {
            for (Connection c : clients) {
                c.rollback();
                c.close();
            }
        }
        int ended;
        try (Connection direct = cluster.primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                        + " where backend_type = 'client backend' and pid <> pg_backend_pid()")) {
            rs.next();
            ended = rs.getInt(1);
        }
        assertTrue(ended >= 4, "the idle pooled connections' servers were ended: " + ended);
        Await.until(Duration.ofSeconds(10), "the ended servers are gone", () -> pooledServerBackends() == 0);
        for (int i = 0; i < 8; i++) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                assertTrue(pid(s) > 0, "served on a live connection");
            }
        }
    }

    /**
     * Client backends on the primary but this query's own and the health check's: the health check
     * keeps a connection of its own and opens it again within a round (250 ms here) of its end, so
     * counting it would make "the ended servers are gone" a race with the next probe.
     */
    private static int pooledServerBackends() throws SQLException {
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"
                        + " and application_name <> 'pgrouter-health'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aTransactionKeepsOneBackendAndAnotherClientGetsAnother() throws Exception {
        try (Connection a = connect(); Connection b = connect(); Statement sa = a.createStatement();
                Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            int first = pid(sa);
            sa.execute("insert into tx values (1, 'uncommitted')");
            int bPid = pid(sb); // a holds its backend: b must get another one
            assertNotEquals(first, bPid);
            assertEquals(first, pid(sa), "the whole transaction runs on one backend");
            try (ResultSet rs = sb.executeQuery("select count(*) from tx where id = 1")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "b does not see a's uncommitted row");
            }
            a.rollback();
        }
    }

    @Test
    void aClientLeavingMidTransactionLeavesNothingOpenForTheNext() throws Exception {
        try (Connection a = connect(); Statement s = a.createStatement()) {
            a.setAutoCommit(false);
            s.execute("insert into tx values (2, 'abandoned')");
            s.execute("select pg_backend_pid()");
            // closing without commit: pgrouter must not lend this connection to anyone mid-transaction
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (idleInTransaction() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling inside a deadline
        }
        assertEquals(0, idleInTransaction(), "no backend left idle in transaction");
        for (int i = 0; i < 10; i++) {
            try (Connection c = connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*), pg_current_xact_id_if_assigned() is null from tx where id = 2")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
                assertTrue(rs.getBoolean(2), "a fresh transaction, not someone else's that wrote");
            }
        }
    }

    private static int idleInTransaction() throws SQLException {
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select count(*) from pg_stat_activity where state like 'idle in transaction%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void extendedProtocolGroupsAndErrorsKeepTheSessionUsable() throws Exception {
        try (Connection c = connect()) {
            for (int i = 0; i < 200; i++) {
                try (var ps = c.prepareStatement("select ?::int + 1")) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(i + 1, rs.getInt(1));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute("select 1/0"));
                assertEquals("22012", e.getSQLState());
                c.setAutoCommit(false);
                assertThrows(SQLException.class, () -> s.execute("select no_such_column from tx"));
                c.rollback();
                c.setAutoCommit(true);
                try (ResultSet rs = s.executeQuery("select 42")) {
                    rs.next();
                    assertEquals(42, rs.getInt(1));
                }
            }
        }
    }

    @Test
    void withoutPgroutersOwnAuthenticationTheClientIsToldWhy() throws Exception {
        Path other = Files.createDirectories(dir.resolve("relay"));
        try (PgrouterProcess relay = PgrouterProcess.start(other, Configs.forCluster(cluster, "transaction", ""))) {
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(relay.jdbcUrl("postgres"), cluster.superuser(), "").close());
            assertEquals("28000", e.getSQLState());
            assertTrue(e.getMessage().contains("needs pgrouter's own authentication"), e.getMessage());
            assertEquals(0, relay.stop(Duration.ofSeconds(20)), relay.log());
        }
        assertFalse(router.log().contains("LEAK:"));
    }

    private static int pid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Path script(String sql) throws Exception {
        Path p = Files.createTempFile(dir, "script", ".sql");
        Files.writeString(p, sql + "\n");
        return p;
    }
}
