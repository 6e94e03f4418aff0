package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop the primary, promote replica 1: the sessions open through pgrouter carry on. One failover
 * of one cluster (primary + 2 replicas) serves every case: an idle pgjdbc session with a
 * search_path and server-prepared statements, an idle psql session with a SET and a SQL PREPARE,
 * a session inside a transaction (one 40001, then usable), a session with a temporary table (a
 * FATAL naming it), pgbench -S through readsplit (no client aborts), and an idle client of the
 * transaction pipeline. The pgjdbc case runs twice: with the primary authenticating clients, and
 * with pgrouter's own authentication (pooled backend connections).
 */
class FailoverIT {
    private static final Duration FEW_INTERVALS = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void sessionsCarryOnAcrossStopPrimaryPromoteReplica() throws Exception {
        try (PgCluster cluster = PgCluster.start(2)) {
            PgNode oldPrimary = cluster.primary();
            PgNode promoted = cluster.replicas().get(0);
            oldPrimary.execute("create schema app; create table app.items (id int); "
                    + "insert into app.items select generate_series(1, 3); create table public.log (id int)");
            Path readsplitDir = dir.resolve("readsplit");
            Path transactionDir = dir.resolve("transaction");
            java.nio.file.Files.createDirectories(readsplitDir);
            java.nio.file.Files.createDirectories(transactionDir);
            Path hba = java.nio.file.Files.writeString(transactionDir.resolve("hba.conf"), "host all all all trust\n");
            Path pooledDir = java.nio.file.Files.createDirectories(dir.resolve("readsplit-pooled"));
            int metricsPort = PgrouterProcess.freePort();
            try (PgrouterProcess router = PgrouterProcess.start(readsplitDir, Configs.forCluster(cluster, "readsplit",
                    "readsplit { failover_wait 20s }\nmetrics {\n  listen 127.0.0.1:" + metricsPort + "\n}"));
                    PgrouterProcess pooler = PgrouterProcess.start(transactionDir,
                            Configs.forCluster(cluster, "transaction", "hba " + hba));
                    PgrouterProcess pooledRouter = PgrouterProcess.start(pooledDir, Configs.forCluster(cluster,
                            "readsplit", "readsplit { failover_wait 20s }\nhba " + hba))) {
                router.awaitMonitor(FEW_INTERVALS, m -> m.contains("backends 3/3"));
                pooler.awaitMonitor(FEW_INTERVALS, m -> m.contains("backends 3/3"));
                pooledRouter.awaitMonitor(FEW_INTERVALS, m -> m.contains("backends 3/3"));
                ProcessResult init = router.pgbench(Duration.ofSeconds(90), "-i", "-s", "1", "-q");
                assertEquals(0, init.exitCode(), init.output());
                cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));

                // (a) pgjdbc: a search_path and a server-prepared statement used 5 times.
                Connection jdbc = DriverManager.getConnection(router.jdbcUrl("postgres") + "&prepareThreshold=1",
                        cluster.superuser(), "");
                try (Statement s = jdbc.createStatement()) {
                    s.execute("set search_path to app, public");
                }
                PreparedStatement count = jdbc.prepareStatement("select count(*) from items where id > ?");
                for (int i = 0; i < 5; i++) {
                    assertEquals(3, count(count));
                }
                // (a) again with pgrouter's own authentication: the new primary's connection comes from its pool.
                Connection pooledJdbc = DriverManager.getConnection(pooledRouter.jdbcUrl("postgres")
                        + "&prepareThreshold=1", cluster.superuser(), "");
                try (Statement s = pooledJdbc.createStatement()) {
                    s.execute("set search_path to app, public");
                }
                PreparedStatement pooledCount = pooledJdbc.prepareStatement("select count(*) from items where id > ?");
                for (int i = 0; i < 5; i++) {
                    assertEquals(3, count(pooledCount));
                }
                // (b) psql fed over stdin: a SET and a SQL PREPARE.
                Psql psql = Psql.start(router, cluster.superuser());
                psql.send("set search_path to app, public;\nprepare q as select count(*) from items;\n"
                        + "execute q;\n\\echo before-failover\n");
                Await.until(FEW_INTERVALS, "psql ran its setup", () -> psql.output().contains("before-failover"));
                // (c) inside a transaction.
                Connection inTransaction = DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
                inTransaction.setAutoCommit(false);
                try (Statement s = inTransaction.createStatement()) {
                    s.execute("insert into public.log values (-1)");
                }
                // (d) a temporary table.
                Connection temp = DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
                try (Statement s = temp.createStatement()) {
                    s.execute("create temp table scratch (id int)");
                }
                // (f) an idle client of the transaction pipeline.
                Connection pooled = DriverManager.getConnection(pooler.jdbcUrl("postgres"), cluster.superuser(), "");
                try (Statement s = pooled.createStatement()) {
                    s.execute("select 1");
                }
                // (e) pgbench -S through readsplit across the failover.
                CompletableFuture<ProcessResult> bench = CompletableFuture.supplyAsync(
                        () -> router.pgbench(Duration.ofSeconds(90), "-S", "-c", "4", "-j", "2", "-T", "12"));
                Map<String, Long> before = router.requests();
                Await.until(FEW_INTERVALS, "pgbench reads through pgrouter",
                        () -> total(router.requests()) > total(before) + 500);

                oldPrimary.stop();
                cluster.promote(promoted);
                router.awaitMonitor(FEW_INTERVALS, m -> m.contains("\nprimary " + Configs.address(promoted) + "\n"));

                // (a) carries on with both, and writes reach the new primary.
                assertEquals(3, count(count));
                String notice = warnings(count.getWarnings()); // read with the first answer after the move
                assertTrue(notice.contains("the session moved"), notice);
                try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery("show search_path")) {
                    assertTrue(rs.next());
                    assertEquals("app, public", rs.getString(1));
                    s.execute("insert into items values (4)");
                }
                assertEquals(4, count(count));
                try (Connection direct = promoted.connect(); Statement s = direct.createStatement();
                        ResultSet rs = s.executeQuery("select count(*) from app.items")) {
                    assertTrue(rs.next());
                    assertEquals(4, rs.getInt(1), "the write went to the new primary");
                }
                assertEquals(4, count(pooledCount), "the pooled session carries on with its statement and search_path");
                assertTrue(warnings(pooledCount.getWarnings()).contains("the session moved"));
                pooledJdbc.close();
                // (b) psql carries on with its SET and its PREPARE.
                psql.send("execute q;\nshow search_path;\n\\q\n");
                ProcessResult psqlResult = psql.await();
                assertEquals(0, psqlResult.exitCode(), psqlResult.output());
                List<String> lines = psqlResult.stdout().lines().toList();
                assertEquals(List.of("3", "before-failover", "4", "app, public"), lines, psqlResult.output());
                assertTrue(psqlResult.stderr().contains("the session moved"), psqlResult.output());
                // (c) one 40001, then the session works.
                SQLException lost = assertThrows(SQLException.class, () -> {
                    try (Statement s = inTransaction.createStatement()) {
                        s.execute("insert into public.log values (-2)");
                    }
                });
                assertEquals("40001", lost.getSQLState(), lost.getMessage());
                assertTrue(lost.getMessage().contains("the primary"), lost.getMessage());
                inTransaction.rollback();
                try (Statement s = inTransaction.createStatement()) {
                    s.execute("insert into public.log values (1)");
                }
                inTransaction.commit();
                try (Connection direct = promoted.connect(); Statement s = direct.createStatement();
                        ResultSet rs = s.executeQuery("select array_agg(id order by id)::text from public.log")) {
                    assertTrue(rs.next());
                    assertEquals("{1}", rs.getString(1), "only the transaction after the failover committed");
                }
                inTransaction.close();
                // (d) the temporary table cannot move: a FATAL naming it.
                SQLException fatal = assertThrows(SQLException.class, () -> {
                    try (Statement s = temp.createStatement()) {
                        s.execute("select count(*) from scratch");
                    }
                });
                assertTrue(fatal.getMessage().contains("temporary tables"), fatal.getMessage());
                assertTrue(temp.isClosed() || !temp.isValid(2));
                temp.close();
                // (f) the transaction pipeline's idle client carries on.
                Await.until(FEW_INTERVALS, "a write through the transaction pipeline on the new primary", () -> {
                    try (Statement s = pooled.createStatement()) {
                        s.execute("insert into public.log values (2)");
                        return true;
                    }
                });
                assertFalse(pooled.isClosed());
                pooled.close();
                // (e) no pgbench client aborted.
                ProcessResult result = bench.get(60, TimeUnit.SECONDS);
                System.out.println("pgbench -S across the failover:\n" + result.output());
                assertEquals(0, result.exitCode(), result.output() + "\n" + router.log());
                assertFalse(result.output().contains("aborted"), result.output());
                jdbc.close();
                String log = router.log();
                assertTrue(log.contains("moved from the primary " + Configs.address(oldPrimary)), log);
                // (f) the moves are counted for the monitors, and so are (none here) sessions a failover ended.
                MetricsEndpoint metrics = new MetricsEndpoint(metricsPort);
                String moved = MetricsEndpoint.key("pgrouter_pipeline_events_total", new String[] {"event", "sessions_moved"});
                String ended = MetricsEndpoint.key("pgrouter_pipeline_events_total",
                        new String[] {"event", "sessions_ended_by_failover"});
                Await.until(FEW_INTERVALS, "the moved sessions counted on /metrics",
                        () -> metrics.scrape().getOrDefault(moved, 0.0) >= 1);
                assertTrue(metrics.scrape().containsKey(ended), "every counter readsplit asked for is shown from 0");
                System.out.println("pgrouter on the failover:\n" + log.lines()
                        .filter(l -> l.contains("lost the primary") || l.contains("moved from") || l.contains("session(s) moved")
                                || l.contains("cannot move") || l.contains("primary is now"))
                        .collect(java.util.stream.Collectors.joining("\n")));
                assertEquals(0, router.stop(Duration.ofSeconds(20)), router.log());
                assertEquals(0, pooler.stop(Duration.ofSeconds(20)), pooler.log());
                assertEquals(0, pooledRouter.stop(Duration.ofSeconds(20)), pooledRouter.log());
            }
        }
    }

    private static long count(PreparedStatement count) throws SQLException {
        count.setInt(1, 0);
        try (ResultSet rs = count.executeQuery()) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static String warnings(SQLWarning first) {
        StringBuilder all = new StringBuilder();
        for (SQLWarning w = first; w != null; w = w.getNextWarning()) {
            all.append(w.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static long total(Map<String, Long> requests) {
        return requests.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One psql process whose stdin the test writes, its output gathered as it comes. */
    private static final class Psql {
        private final Process process;
        private final Writer stdin;
        private final StringBuffer stdout = new StringBuffer();
        private final StringBuffer stderr = new StringBuffer();
        private final Thread out;
        private final Thread err;

        private Psql(Process process) {
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            out = gather(process.getInputStream(), stdout);
            err = gather(process.getErrorStream(), stderr);
        }

        static Psql start(PgrouterProcess router, String user) throws java.io.IOException {
            return new Psql(new ProcessBuilder(PgTools.bin("psql").toString(), "-X", "-A", "-t", "-q",
                    "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String.valueOf(router.port), "-U", user,
                    "-d", "postgres").start());
        }

        private static Thread gather(java.io.InputStream in, StringBuffer into) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        into.append(line).append('\n');
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        void send(String text) throws java.io.IOException {
            stdin.write(text);
            stdin.flush();
        }

        String output() {
            return stdout.toString();
        }

        ProcessResult await() throws Exception {
            stdin.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("psql did not end:\n" + stdout + stderr);
            }
            out.join(10_000); // the streams end with the process
            err.join(10_000);
            return new ProcessResult(process.exitValue(), stdout.toString(), stderr.toString());
        }
    }
}
