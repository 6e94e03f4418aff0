package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool limits as users meet them: many more clients than server connections, on a primary
 * whose {@code max_connections} would refuse them all at once. The primary's own view
 * ({@code pg_stat_activity}, sampled during each run) is the judge of how many connections
 * pgrouter held.
 */
class PoolLimitsIT {
    private static final String APPLICATION = "pgbench";

    @TempDir
    static Path dir;
    static PgCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = PgCluster.builder().replicas(0).setting("max_connections", "100").start();
        ProcessResult init = PgTools.run(Duration.ofSeconds(120), Map.of(), PgTools.bin("pgbench").toString(),
                "-h", cluster.primary().host(), "-p", String.valueOf(cluster.primary().port()), "-U",
                cluster.superuser(), "-i", "-s", "1", "-q", "postgres");
        assertEquals(0, init.exitCode(), init.output());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aThousandClientsShareTwentyConnectionsThroughTheTransactionPipeline() throws Exception {
        Path home = Files.createDirectories(dir.resolve("transaction"));
        Files.writeString(home.resolve("hba.conf"), "host all all all trust\n");
        String config = Configs.forCluster(cluster, "transaction", "hba " + home.resolve("hba.conf")
                + "\npool { pool_size 20; reserve_pool_size 0 }");
        try (PgrouterProcess router = PgrouterProcess.start(home, config)) {
            String seconds = String.valueOf(FullSize.pick(10, 30));
            for (String[] mode : new String[][] {{"-T", seconds}, {"-S", "-M", "prepared", "-T", seconds}}) {
                int most = mostConnectionsDuring(() -> report(String.join(" ", mode), pgbench(router, 1000, mode)));
                System.out.println("PoolLimitsIT: transaction pipeline, 1000 clients " + String.join(" ", mode)
                        + ": at most " + most + " primary connections (pool_size 20)");
                assertTrue(most <= 20, "the primary had " + most + " pgrouter connections at once, pool_size is 20");
                assertTrue(most >= 10, "the pool was used: " + most + " connections at most");
            }
            assertEquals(0, router.stop(Duration.ofSeconds(30)), router.log());
        }
    }

    @Test
    void maxDbConnectionsBoundsTheSessionPipelineAndLateClientsAreToldWhy() throws Exception {
        Path home = Files.createDirectories(dir.resolve("session"));
        Files.writeString(home.resolve("hba.conf"), "host all all all trust\n");
        // pgrouter authenticates the clients: a client then waits for a server connection at its
        // first statement, not inside its login (where pgbench -C, connecting from the thread that
        // also serves its other clients, would be stuck).
        String limits = "hba " + home.resolve("hba.conf") + "\npool { pool_size 100; max_db_connections 50; ";
        // A connection per transaction: 200 clients take turns on at most 50 sessions. The default
        // query_wait_timeout here: on a loaded machine a turn can take longer than 2 s.
        try (PgrouterProcess router = PgrouterProcess.start(home, Configs.forCluster(cluster, "session", limits + "}"))) {
            int most = mostConnectionsDuring(() -> report("-C -S", pgbench(router, 200, "-C", "-S", "-T",
                    String.valueOf(FullSize.pick(10, 30)))));
            System.out.println("PoolLimitsIT: session pipeline, 200 clients -C -S: at most " + most
                    + " primary connections (max_db_connections 50)");
            assertTrue(most <= 50, "the primary had " + most + " pgrouter connections at once, max_db_connections is 50");
            assertEquals(0, router.stop(Duration.ofSeconds(30)), router.log());
        }
        String config = Configs.forCluster(cluster, "session", limits + "query_wait_timeout 2s }");
        try (PgrouterProcess router = PgrouterProcess.start(home, config)) {
            // 200 clients that keep their sessions: 50 are served, the rest told after query_wait_timeout.
            List<Connection> served = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    served.add(connect(router));
                }
                ExecutorService late = Executors.newFixedThreadPool(150);
                try {
                    List<Future<String>> refusals = new ArrayList<>();
                    for (int i = 0; i < 150; i++) {
                        refusals.add(late.submit(() -> refusalAfterWaiting(router)));
                    }
                    for (Future<String> refusal : refusals) {
                        assertEquals("53300 after 2 s", refusal.get(60, TimeUnit.SECONDS));
                    }
                } finally {
                    late.shutdownNow();
                }
                for (Connection c : served) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                        assertTrue(rs.next(), "a served session is unaffected by the refused ones");
                    }
                }
            } finally {
                for (Connection c : served) {
                    c.close();
                }
            }
            assertEquals(0, router.stop(Duration.ofSeconds(30)), router.log());
        }
    }

    /** Prints pgbench's summary (what a full-size run records), and passes its result on. */
    private static ProcessResult report(String mode, ProcessResult r) {
        r.stdout().lines().filter(l -> l.startsWith("number of") || l.startsWith("tps") || l.startsWith("latency average"))
                .forEach(l -> System.out.println("PoolLimitsIT: " + mode + ": " + l));
        return r;
    }

    /** A connection attempt's outcome: its SQLSTATE and, in whole seconds, how long it waited for it. */
    private static String refusalAfterWaiting(PgrouterProcess router) {
        long start = System.nanoTime();
        try (Connection c = connect(router)) {
            return "served";
        } catch (SQLException e) {
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            return e.getSQLState() + " after " + (waited >= 1900 && waited < 4000 ? "2 s" : waited + " ms: " + e.getMessage());
        }
    }

    private static Connection connect(PgrouterProcess router) throws SQLException {
        return DriverManager.getConnection(router.jdbcUrl("postgres") + "&ApplicationName=" + APPLICATION,
                cluster.superuser(), "");
    }

    private static ProcessResult pgbench(PgrouterProcess router, int clients, String... mode) {
        List<String> command = new ArrayList<>(List.of(PgTools.bin("pgbench").toString(), "-h", "127.0.0.1", "-p",
                String.valueOf(router.port), "-U", cluster.superuser(), "-n", "-c", String.valueOf(clients), "-j", "2"));
        command.addAll(List.of(mode));
        command.add("postgres");
        ProcessResult r = PgTools.run(Duration.ofSeconds(180), Map.of(), command.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.output() + router.log());
        assertTrue(r.stdout().contains("number of failed transactions: 0"), r.output());
        assertTrue(!r.output().contains("aborted") && !r.output().contains("FATAL"), r.output());
        return r;
    }

    /** Runs the load while sampling the primary's pgrouter connections; returns the most seen at once. */
    private static int mostConnectionsDuring(java.util.concurrent.Callable<ProcessResult> load) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger most = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
                while (running.get()) {
                    try (ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where backend_type = "
                            + "'client backend' and application_name = '" + APPLICATION + "'")) {
                        rs.next();
                        most.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                }
            } catch (SQLException e) {
                most.set(Integer.MAX_VALUE); // the judge went away: fail rather than pass unsampled
            }
        }, "pg_stat_activity sampler");
        sampler.start();
        try {
            load.call();
        } finally {
            running.set(false);
            sampler.join(10_000);
        }
        return most.get();
    }
}
