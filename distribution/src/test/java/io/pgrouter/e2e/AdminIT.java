package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The admin channel, driven with the shipped {@code pgrouter-cli} against the packaged pgrouter:
 * who may use it, reload, pause and resume with pgjdbc clients, drain, fast shutdown, and a
 * reload by SIGHUP for a pgrouter started under nohup. One cluster for the class; each test
 * runs its own pgrouter (transaction pipeline, pgrouter's own authentication).
 */
class AdminIT {
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static PgCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() {
        cluster = PgCluster.start(0);
        cluster.primary().execute("create table admin_it (id int primary key, note text)");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A pgrouter with an admin socket in a directory others may enter; {@code admin} adds to the block. */
    private PgrouterProcess router(String admin) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
        String config = Configs.forCluster(cluster, "transaction", """
                hba %s
                admin {
                  socket %s
                  %s
                }
                """.formatted(dir.resolve("hba.conf"), socket(), admin));
        return PgrouterProcess.start(dir, config);
    }

    private Path socket() {
        return dir.resolve("admin.sock");
    }

    private ProcessResult cli(String... args) {
        return cliAs(List.of(), args);
    }

    /** pgrouter-cli with the socket option, under {@code prefix} (e.g. setpriv to another user). */
    private ProcessResult cliAs(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(PgrouterProcess.bin("pgrouter-cli").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-s", socket().toString()));
        return PgTools.run(CLI_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")),
                command.toArray(String[]::new));
    }

    private CompletableFuture<ProcessResult> cliLater(String... args) {
        return CompletableFuture.supplyAsync(() -> cli(args), AdminIT::inThread);
    }

    /** Each waiting call on a thread of its own: the common pool may have a single one. */
    private static void inThread(Runnable r) {
        Thread t = new Thread(r, "admin-it-client");
        t.setDaemon(true);
        t.start();
    }

    private Connection connect(PgrouterProcess router) throws SQLException {
        return DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
    }

    @Test
    void theSocketAdmitsRootAndRefusesAUserNotAllowed() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching to the postgres user needs root");
        List<String> asPostgres = List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--");
        try (PgrouterProcess router = router("users nobody")) {
            // Others listed: the file lets anyone connect and the peer's credentials decide.
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
            ProcessResult refused = cliAs(asPostgres, "resume");
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.stderr().contains("permission denied: user 'postgres' may not use the admin channel"),
                    refused.output());
            assertTrue(router.log().contains("admin channel: refused user 'postgres'"), router.log());

            ProcessResult root = cli("resume");
            assertEquals(0, root.exitCode(), root.output());
            assertTrue(root.stdout().contains("pgrouter was not paused"), root.output());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
        try (PgrouterProcess router = router("")) {
            // Nobody else listed: mode 0600, and the kernel turns other users away.
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
            ProcessResult refused = cliAs(asPostgres, "reload");
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.stderr().contains("permission denied on " + socket()), refused.output());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
        assertFalse(Files.exists(socket()), "pgrouter removes its socket when it stops");
    }

    @Test
    void theCliSaysWhatIsWrong() throws Exception {
        ProcessResult none = cli("reload");
        assertEquals(1, none.exitCode(), none.output());
        assertTrue(none.stderr().contains("pgrouter-cli: no admin socket at " + socket()), none.output());

        ProcessResult unknown = PgTools.run(CLI_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")),
                PgrouterProcess.bin("pgrouter-cli").toString(), "restart");
        assertEquals(2, unknown.exitCode(), unknown.output());
        assertTrue(unknown.stderr().contains("Unmatched argument at index 0: 'restart'"), unknown.output());
    }

    @Test
    void reloadReportsAppliedOrRejectedWithTheErrorsPosition() throws Exception {
        try (PgrouterProcess router = router("")) {
            Path config = dir.resolve("pgrouter.conf");
            String good = Files.readString(config);
            Files.writeString(config, good + "lsiten nowhere\n");
            ProcessResult rejected = cli("reload");
            assertEquals(1, rejected.exitCode(), rejected.output());
            int line = (int) good.lines().count() + 1;
            assertTrue(rejected.stderr().contains("pgrouter-cli: configuration rejected, nothing changed"), rejected.output());
            assertTrue(rejected.stderr().contains(config + ":" + line + ":1: unknown directive 'lsiten'"), rejected.output());

            Files.writeString(config, good.replace("workers 2", "workers 3"));
            ProcessResult applied = cli("reload");
            assertEquals(0, applied.exitCode(), applied.output());
            assertTrue(applied.stdout().contains("configuration reloaded"), applied.output());
            assertTrue(applied.stdout().contains("'workers' changed from 2 to 3; restart pgrouter to apply it"),
                    applied.output());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }

    @Test
    void pauseWaitsForTheOpenTransactionAndHoldsNewStatementsUntilResume() throws Exception {
        try (PgrouterProcess router = router("");
                Connection inTransaction = connect(router);
                Connection idle = connect(router)) {
            inTransaction.setAutoCommit(false);
            try (Statement s = inTransaction.createStatement()) {
                s.executeUpdate("insert into admin_it values (1, 'before the pause')");
            }
            CompletableFuture<ProcessResult> pause = cliLater("pause", "--timeout", "60s");
            String first = router.awaitMonitor(Duration.ofSeconds(30), m -> m.contains("\npaused "));
            assertFalse(pause.isDone(), "pause returned while a transaction was open: " + first + "\n" + router.log());

            CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> count(idle), AdminIT::inThread);
            router.awaitMonitor(Duration.ofSeconds(10), m -> m.matches("(?s).*\npaused \\S+ 1\n.*"));
            assertFalse(held.isDone(), "a statement sent while paused was answered during the pause");

            // The open transaction goes on and ends; then the pause has taken hold.
            try (Statement s = inTransaction.createStatement()) {
                s.executeUpdate("update admin_it set note = 'committed during the pause' where id = 1");
            }
            inTransaction.commit();
            ProcessResult paused = pause.get(30, TimeUnit.SECONDS);
            assertEquals(0, paused.exitCode(), paused.output());
            assertTrue(paused.stdout().contains("none busy"), paused.output());

            // A new client logs in while paused; its first statement (pgjdbc sends one as it
            // connects) waits too.
            CompletableFuture<Integer> late = CompletableFuture.supplyAsync(() -> {
                try (Connection c = connect(router)) {
                    return count(c);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, AdminIT::inThread);
            String twoHeld = router.awaitMonitor(Duration.ofSeconds(10), m -> m.matches("(?s).*\npaused \\S+ 2\n.*"));
            assertTrue(twoHeld.contains("clients 3"), twoHeld);
            assertFalse(held.isDone());
            assertFalse(late.isDone());

            ProcessResult resumed = cli("resume");
            assertEquals(0, resumed.exitCode(), resumed.output());
            assertTrue(resumed.stdout().contains("2 sessions released"), resumed.output());
            assertEquals(1, held.get(10, TimeUnit.SECONDS));
            assertEquals(1, late.get(10, TimeUnit.SECONDS));
            router.awaitMonitor(Duration.ofSeconds(10), m -> !m.contains("\npaused "));
        } finally {
            cluster.primary().execute("delete from admin_it");
        }
    }

    @Test
    void aPauseThatTimesOutResumesByItselfAndSaysWhoWasBusy() throws Exception {
        try (PgrouterProcess router = router("");
                Connection inTransaction = connect(router)) {
            inTransaction.setAutoCommit(false);
            try (Statement s = inTransaction.createStatement()) {
                s.execute("select 1");
            }
            ProcessResult timedOut = cli("pause", "--timeout", "1s");
            assertEquals(1, timedOut.exitCode(), timedOut.output());
            assertTrue(timedOut.stderr().contains("while 1 sessions were still busy"), timedOut.output());
            assertTrue(router.log().contains("resumed automatically"), router.log());
            assertFalse(router.monitor().contains("\npaused "));
            inTransaction.rollback();
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }

    @Test
    void drainRefusesNewClientsServesOpenOnesAndExitsWhenTheLastLeaves() throws Exception {
        PgrouterProcess router = router("");
        try (router) {
            Connection client = connect(router);
            ProcessResult drain = cli("drain");
            assertEquals(0, drain.exitCode(), drain.output());
            assertTrue(drain.stdout().contains("draining: no new clients; 1 sessions open"), drain.output());
            assertThrows(SQLException.class, () -> connect(router).close(), "a new client was accepted while draining");
            assertEquals(0, count(client), "the open session is still served");
            router.awaitMonitor(Duration.ofSeconds(10), m -> m.matches("(?s).*\ndraining \\S+ 1\n.*"));
            ProcessResult status = PgTools.run(CLI_TIMEOUT, Map.of("JAVA_HOME", System.getProperty("java.home")),
                    PgrouterProcess.bin("pgrouter-cli").toString(), "status", "-m", "127.0.0.1:" + router.monitorPort);
            assertTrue(status.stdout().contains("\nDRAINING since "), status.output());
            assertTrue(router.isAlive());
            client.close();
            assertEquals(0, router.awaitExit(Duration.ofSeconds(20)));
        }
    }

    @Test
    void fastShutdownEndsSessionsWithAdminShutdownAndRollsBack() throws Exception {
        PgrouterProcess router = router("");
        try (router; Connection client = connect(router)) {
            client.setAutoCommit(false);
            try (Statement s = client.createStatement()) {
                s.executeUpdate("insert into admin_it values (2, 'rolled back')");
            }
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try (Statement s = client.createStatement()) {
                    s.execute("select pg_sleep(60)");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, AdminIT::inThread);
            Await.until(Duration.ofSeconds(10), "the sleep runs on the primary", () -> onPrimary("select exists (select 1 from pg_stat_activity where query = 'select pg_sleep(60)')"));
            ProcessResult shutdown = cli("shutdown", "--fast");
            assertEquals(0, shutdown.exitCode(), shutdown.output());
            ExecutionException failed = assertThrows(ExecutionException.class, () -> sleeping.get(20, TimeUnit.SECONDS));
            PSQLException fatal = (PSQLException) failed.getCause();
            assertEquals("57P01", fatal.getSQLState(), fatal.toString());
            assertTrue(fatal.getMessage().contains("terminating connection due to administrator command"), fatal.toString());
            assertEquals(0, router.awaitExit(Duration.ofSeconds(20)));
            Await.until(Duration.ofSeconds(10), "the primary rolled the transaction back",
                    () -> !onPrimary("select exists (select 1 from admin_it where id = 2)"));
        }
    }

    @Test
    void smartShutdownEndsIdleSessionsAtOnceAndBusyOnesAfterTheirTransaction() throws Exception {
        PgrouterProcess router = router("");
        try (router; Connection idle = connect(router); Connection busy = connect(router)) {
            busy.setAutoCommit(false);
            try (Statement s = busy.createStatement()) {
                s.executeUpdate("insert into admin_it values (3, 'committed during the shutdown')");
            }
            ProcessResult shutdown = cli("shutdown");
            assertEquals(0, shutdown.exitCode(), shutdown.output());
            router.awaitMonitor(Duration.ofSeconds(10), m -> m.contains("clients 1\n"));
            PSQLException ended = (PSQLException) assertThrows(java.util.concurrent.CompletionException.class,
                    () -> count(idle)).getCause();
            assertTrue(router.isAlive(), "pgrouter waits for the open transaction");
            busy.commit();
            assertEquals(0, router.awaitExit(Duration.ofSeconds(20)));
            assertTrue(onPrimary("select exists (select 1 from admin_it where id = 3)"),
                    "the transaction open at the shutdown committed");
            assertTrue(ended.getSQLState().startsWith("08") || ended.getSQLState().equals("57P01"), ended.toString());
        } finally {
            cluster.primary().execute("delete from admin_it");
        }
    }

    @Test
    void sighupReloadsEvenUnderNohup() throws Exception {
        Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
        String config = Configs.forCluster(cluster, "transaction", "hba " + dir.resolve("hba.conf"));
        try (PgrouterProcess router = PgrouterProcess.startUnder(List.of("nohup"), dir, config)) {
            assertFalse(router.log().contains("SIGHUP is ignored"), router.log());
            Path file = dir.resolve("pgrouter.conf");
            Files.writeString(file, Files.readString(file).replace("workers 2", "workers 3"));
            router.signal("HUP");
            Await.until(Duration.ofSeconds(10), "the reload under nohup", () -> router.log().contains("reloaded "));
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }

    private static boolean onPrimary(String sql) throws SQLException {
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static int count(Connection c) {
        try (Statement s = c.createStatement();
                var rs = s.executeQuery("select count(*) from admin_it")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }
}
