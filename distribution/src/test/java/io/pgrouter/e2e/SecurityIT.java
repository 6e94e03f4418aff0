package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import io.pgrouter.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgrouter authenticating clients itself (hba + authdb), over TLS on both sides, against a cluster
 * whose roles need SCRAM (alice) and md5 (bob, carol), driven by pgjdbc, psql and pgbench.
 */
class SecurityIT {
    private static final String SUPERUSER_PASSWORD = "su-secret";

    @TempDir
    static Path dir;
    static TestPki pki;
    static PgCluster cluster;
    static PgrouterProcess router;

    @BeforeAll
    static void start() throws Exception {
        Path pkiDir = Files.createDirectories(dir.resolve("pki"));
        pki = TestPki.create(pkiDir);
        // The md5 method does SCRAM for roles stored as SCRAM verifiers, md5 for md5 ones.
        cluster = PgCluster.builder().replicas(1).hbaMethod("md5").superuserPassword(SUPERUSER_PASSWORD).tls(pki).start();
        cluster.primary().execute("set password_encryption = 'scram-sha-256'; create role alice login password 'alice-pw';"
                + " set password_encryption = 'md5'; create role bob login password 'bob-pw';"
                + " create role carol login password 'carol-pw'; create role dave login password 'dave-pw';"
                + " create table secrets(id int primary key, v text); insert into secrets values (1, 'one');"
                + " grant select on secrets to alice, bob, carol, dave");
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        router = PgrouterProcess.start(dir, config(pki.caCertificate()));
    }

    /** A readsplit pgrouter in front of the cluster, checking backends against {@code ca}. */
    static String config(Path ca) throws Exception {
        Files.writeString(dir.resolve("hba.conf"), """
                # TYPE    DATABASE USER   ADDRESS      METHOD
                hostssl   all      alice  127.0.0.1/32 scram-sha-256
                host      all      bob    all          md5
                host      all      carol  all          password
                host      all      dave   all          reject
                host      all      mallory all         md5
                host      all      su     all          scram-sha-256
                """.replace(" su ", " " + cluster.superuser() + " "));
        // alice and bob as the cluster stores them (SCRAM verifier, md5 hash): no plaintext kept.
        StringBuilder authdb = new StringBuilder();
        try (Connection c = cluster.primary().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select rolname, rolpassword from pg_authid where rolname in ('alice', 'bob')")) {
            while (rs.next()) {
                authdb.append('"').append(rs.getString(1)).append("\" \"").append(rs.getString(2)).append("\"\n");
            }
        }
        authdb.append("carol carol-pw\ndave dave-pw\n").append(cluster.superuser()).append(' ').append(SUPERUSER_PASSWORD);
        Files.writeString(dir.resolve("authdb"), authdb + "\n");
        return Configs.forCluster(cluster, "readsplit", """
                hba %s
                authdb %s
                tls { cert %s; key %s; ciphers "HIGH:!aNULL" }
                """.formatted(dir.resolve("hba.conf"), dir.resolve("authdb"), pki.serverCertificate(), pki.serverKey()))
                .replace("backend default {", "backend default { tls verify; ca " + ca + ";")
                .replace("username " + cluster.superuser(), "username " + cluster.superuser() + "\n  password " + SUPERUSER_PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        PgrouterProcess.stopBoth(router, cluster);
    }

    private static Properties tls(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslrootcert", pki.caCertificate().toString());
        return p;
    }

    @Test
    void scramWithChannelBindingOverVerifiedTlsAndScramPassthroughToBothBackends() throws Exception {
        Properties p = tls("alice", "alice-pw");
        p.setProperty("channelBinding", "require"); // SCRAM-SHA-256-PLUS, bound to pgrouter's certificate
        try (Connection c = DriverManager.getConnection(router.jdbcUrl("postgres"), p); Statement s = c.createStatement()) {
            // A read runs on the replica, which pgrouter logged into with the key from alice's proof
            // (hinted there: pg_stat_ssl and pg_backend_pid() are node-local, read on the primary by default).
            try (ResultSet rs = s.executeQuery("/* pgrouter:replica */ select current_user, pg_is_in_recovery(),"
                    + " (select ssl from pg_stat_ssl where pid = pg_backend_pid()), (select v from secrets where id = 1)")) {
                assertTrue(rs.next());
                assertEquals("alice", rs.getString(1));
                assertTrue(rs.getBoolean(2), "the read ran on the replica");
                assertTrue(rs.getBoolean(3), "pgrouter reached the backend over TLS");
                assertEquals("one", rs.getString(4));
            }
            // A transaction runs on the primary, reached the same way.
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("select pg_is_in_recovery(), (select ssl from pg_stat_ssl where pid = pg_backend_pid())")) {
                assertTrue(rs.next());
                assertEquals(false, rs.getBoolean(1));
                assertTrue(rs.getBoolean(2));
            }
            c.rollback();
        }
    }

    @Test
    void psqlLogsInWithMd5AndWithACleartextPasswordOverTls() {
        ProcessResult bob = psql("bob", "bob-pw", "disable", "select current_user");
        assertEquals(0, bob.exitCode(), bob.output());
        assertEquals("bob", bob.stdout().strip());
        ProcessResult carol = psql("carol", "carol-pw", "verify-full", "select current_user || ' ' || ssl from pg_stat_ssl"
                + " where pid = pg_backend_pid()");
        assertEquals(0, carol.exitCode(), carol.output());
        assertEquals("carol true", carol.stdout().strip());
    }

    @Test
    void wrongPasswordsUnknownUsersAndRejectionsGetPostgresErrors() {
        assertLoginFails("28P01", "password authentication failed for user \"bob\"", "bob", "nope", "disable");
        assertLoginFails("28P01", "password authentication failed for user \"alice\"", "alice", "nope", "verify-full");
        assertLoginFails("28P01", "password authentication failed for user \"mallory\"", "mallory", "x", "disable");
        assertLoginFails("28000", "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"dave\"", "dave", "dave-pw",
                "disable");
        assertLoginFails("28000", "no pg_hba.conf entry for host \"127.0.0.1\", user \"alice\", database \"postgres\","
                + " no encryption", "alice", "alice-pw", "disable");
        String log = router.log();
        assertTrue(log.contains("password authentication failed for user \"mallory\" from /127.0.0.1"), log);
    }

    private static void assertLoginFails(String sqlState, String message, String user, String password, String sslmode) {
        Properties p = tls(user, password);
        p.setProperty("sslmode", sslmode);
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(router.jdbcUrl("postgres"), p).close());
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void pgbenchRunsThroughPgrouterWithScramOverTls() throws Exception {
        Path script = dir.resolve("read.sql");
        Files.writeString(script, "select v from secrets where id = 1;\n");
        ProcessResult r = PgTools.run(Duration.ofSeconds(60), env("alice", "alice-pw", "verify-full"),
                PgTools.bin("pgbench").toString(), "-h", "127.0.0.1", "-p", String.valueOf(router.port), "-U", "alice",
                "-n", "-c", "2", "-t", "50", "-f", script.toString(), "postgres");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("number of transactions actually processed: 100/100"), r.output());
        assertTrue(r.stdout().contains("number of failed transactions: 0"), r.output());
    }

    @Test
    void aCancelStopsASleepOnTheReplicaWithinSeconds() throws Exception {
        try (Connection c = DriverManager.getConnection(router.jdbcUrl("postgres"), tls("alice", "alice-pw"));
                Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("select pg_sleep(60)"));
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void backendsWhoseCertificateTheCaDidNotSignAreRefused() throws Exception {
        Path otherDir = Files.createDirectories(dir.resolve("wrong-ca"));
        try (PgrouterProcess wrong = PgrouterProcess.start(otherDir, config(pki.otherCaCertificate()))) {
            String monitor = wrong.awaitMonitor(Duration.ofSeconds(20), m -> m.contains("backends 0/2"));
            assertTrue(monitor.contains(Configs.address(cluster.primary()) + " master FAILED")
                    || monitor.contains(Configs.address(cluster.primary()) + " slave FAILED"), monitor);
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(wrong.jdbcUrl("postgres"), tls("bob", "bob-pw")).close());
            assertEquals("57P03", e.getSQLState(), e.getMessage()); // no backend it may trust: none to write to
            assertEquals(0, wrong.stop(Duration.ofSeconds(20)), wrong.log());
        }
    }

    @Test
    void sighupRereadsTheAuthdbAndTheHbaRules() throws Exception {
        cluster.primary().execute("create role erin login password 'erin-pw'");
        assertEquals(2, psql("erin", "erin-pw", "disable", "select 1").exitCode(), "not in pgrouter's files yet");
        Files.writeString(dir.resolve("hba.conf"), "host all erin all password\n" + Files.readString(dir.resolve("hba.conf")));
        Files.writeString(dir.resolve("authdb"), Files.readString(dir.resolve("authdb")) + "erin erin-pw\n");
        router.signal("HUP");
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        ProcessResult r = psql("erin", "erin-pw", "disable", "select current_user");
        while (r.exitCode() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling inside a deadline: the reload is asynchronous
            r = psql("erin", "erin-pw", "disable", "select current_user");
        }
        assertEquals(0, r.exitCode(), r.output() + router.log());
        assertEquals("erin", r.stdout().strip());
    }

    private static ProcessResult psql(String user, String password, String sslmode, String sql) {
        return PgTools.run(Duration.ofSeconds(30), env(user, password, sslmode), PgTools.bin("psql").toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(router.port), "-U", user, "-d", "postgres", "-XAtc", sql);
    }

    private static Map<String, String> env(String user, String password, String sslmode) {
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSWORD", password);
        env.put("PGSSLMODE", sslmode);
        env.put("PGSSLROOTCERT", pki.caCertificate().toString());
        env.put("PGUSER", user);
        return env;
    }
}
