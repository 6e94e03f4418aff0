package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session pipeline with pgrouter's own authentication: primary connections are reused from
 * one client to the next (after DISCARD ALL), never with the previous client's state.
 */
class SessionPoolIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "session", "").pooled();
    @TempDir
    static Path dir;

    private static Connection connect() throws SQLException {
        return fixture.connect();
    }

    @Test
    void connectPerTransactionReusesPrimaryConnections() throws Exception {
        PgCluster cluster = fixture.cluster();
        long before = cluster.primary().sessionsStarted("postgres");
        Path script = dir.resolve("one.sql");
        Files.writeString(script, "select 1;\n");
        ProcessResult r = PgTools.run(Duration.ofSeconds(90), Map.of(), PgTools.bin("pgbench").toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(fixture.router().port), "-U", cluster.superuser(), "-n", "-C", "-c", "2",
                "-t", "100", "-f", script.toString(), "postgres");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("number of transactions actually processed: 200/200"), r.output());
        long opened = cluster.primary().sessionsStarted("postgres") - before;
        assertTrue(opened <= 10, "the primary started " + opened + " sessions for 200 client connections");
    }

    @Test
    void theNextClientInheritsNoSessionState() throws Exception {
        int pid;
        try (Connection a = connect(); Statement s = a.createStatement()) {
            pid = pid(s);
            s.execute("set work_mem = '77MB'");
            s.execute("create temporary table scratch(x int)");
            s.execute("prepare mine as select 1");
            s.execute("select pg_advisory_lock(4242)");
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Connection b = connect(); Statement s = b.createStatement()) {
                boolean sameBackend = pid(s) == pid;
                assertEquals("4MB", one(s, "show work_mem"), "reused: " + sameBackend);
                assertEquals("0", one(s, "select count(*) from pg_class where relname = 'scratch' and relpersistence = 't'"));
                assertEquals("0", one(s, "select count(*) from pg_prepared_statements"));
                assertEquals("0", one(s, "select count(*) from pg_locks where locktype = 'advisory'"));
                if (sameBackend) {
                    return; // checked on the very connection the first client dirtied
                }
            }
        }
        throw new AssertionError("no client got the first client's connection back; reuse is not happening");
    }

    @Test
    void aClientLeavingMidTransactionDoesNotHandItsConnectionOn() throws Exception {
        int pid;
        try (Connection a = connect(); Statement s = a.createStatement()) {
            a.setAutoCommit(false);
            pid = pid(s);
        }
        for (int i = 0; i < 5; i++) {
            try (Connection b = connect(); Statement s = b.createStatement()) {
                assertFalse(pid(s) == pid, "a connection left in a transaction was reused");
                assertEquals("t", one(s, "select pg_current_xact_id_if_assigned() is null"));
            }
        }
    }

    private static int pid(Statement s) throws SQLException {
        return Integer.parseInt(one(s, "select pg_backend_pid()"));
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String v = rs.getString(1);
            return "true".equals(v) ? "t" : "false".equals(v) ? "f" : v;
        }
    }
}
