package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
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
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Readsplit with pgrouter's own authentication: primary and replica connections are pooled, reused
 * from one client to the next after DISCARD ALL, never with the previous client's state.
 */
class ReadsplitPoolIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "readsplit", "").pooled();

    @BeforeAll
    static void replicaServesReads() throws Exception {
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().anyMatch(l -> l.contains(" slave OK 0")));
    }

    @Test
    void connectPerTransactionReusesPrimaryAndReplicaConnections() throws Exception {
        // 8 clients at once, as bench/run's S-connect phase (which found a pooled connection
        // that had been sent a Terminate; reproduced there, not reliably here).
        PgNode primary = fixture.cluster().primary();
        PgNode replica = fixture.cluster().replicas().get(0);
        long primaryBefore = primary.sessionsStarted("postgres");
        long replicaBefore = replica.sessionsStarted("postgres");
        long primaryRequestsBefore = requests(primary);
        Path script = Files.createTempFile("read", ".sql");
        ProcessResult r;
        try {
            Files.writeString(script, "select pg_is_in_recovery();\n");
            r = PgTools.run(Duration.ofSeconds(90), Map.of(), PgTools.bin("pgbench").toString(),
                    "-h", "127.0.0.1", "-p", String.valueOf(fixture.router().port), "-U", fixture.cluster().superuser(),
                    "-n", "-C", "-c", "8", "-t", "50", "-f", script.toString(), "postgres");
        } finally {
            Files.deleteIfExists(script); // it was left behind in /tmp after every run
        }
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.stdout().contains("number of transactions actually processed: 400/400"), r.output());
        long primaryOpened = primary.sessionsStarted("postgres") - primaryBefore;
        long replicaOpened = replica.sessionsStarted("postgres") - replicaBefore;
        assertTrue(primaryOpened <= 20, "the primary started " + primaryOpened + " sessions for 400 clients");
        assertTrue(replicaOpened <= 20, "the replica started " + replicaOpened + " sessions for 400 clients");
        long served = requests(replica);
        assertTrue(served >= 300, "the replica served the reads: " + served);
        // Clients that only read leave the primary connection as they found it: no DISCARD ALL
        // per client on the primary (there would be one for nearly each of the 400).
        long primaryRequests = requests(primary) - primaryRequestsBefore;
        assertTrue(primaryRequests <= 20, "the primary was sent " + primaryRequests + " requests for 400 read-only clients");
    }

    /** What pgrouter's monitor counts as sent to a backend since startup. */
    private static long requests(PgNode node) throws Exception {
        String counter = fixture.router().monitor().lines()
                .filter(l -> l.startsWith("requests " + node.host() + ":" + node.port() + " "))
                .findFirst().orElseThrow();
        return Long.parseLong(counter.substring(counter.lastIndexOf(' ') + 1));
    }

    @Test
    void theNextClientInheritsNoStateOnEitherConnection() throws Exception {
        int replicaPid;
        int primaryPid;
        try (Connection a = connect(); Statement s = a.createStatement()) {
            s.execute("set work_mem = '77MB'"); // replayed on the replica too
            replicaPid = pid(s, REPLICA_PID, true);
            s.execute("create temporary table scratch(x int)"); // pins the session to the primary
            primaryPid = pid(s, "select pg_backend_pid()", false);
            s.execute("prepare mine as select 1");
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Connection b = connect(); Statement s = b.createStatement()) {
                boolean sameReplica = pid(s, REPLICA_PID, true) == replicaPid;
                assertEquals("4MB", one(s, "select current_setting('work_mem')"), "on the replica");
                assertEquals("0", one(s, "select count(*) from pg_prepared_statements"), "on the replica");
                s.execute("create temporary table other(x int)"); // now on the primary
                boolean samePrimary = pid(s, "select pg_backend_pid()", false) == primaryPid;
                assertEquals("4MB", one(s, "show work_mem"), "on the primary");
                assertEquals("0", one(s, "select count(*) from pg_class where relname = 'scratch' and relpersistence = 't'"));
                assertEquals("0", one(s, "select count(*) from pg_prepared_statements"), "on the primary");
                if (sameReplica && samePrimary) {
                    return; // checked on the very connections the first client dirtied
                }
            }
        }
        throw new AssertionError("no client got the first client's connections back; reuse is not happening");
    }

    /** Simple protocol: a SET then stays a session setting replayed on the replica (extended pins to the primary). */
    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&preferQueryMode=simple",
                fixture.cluster().superuser(), "");
    }

    /** The backend pid, asserting first that the session's statements run on the replica (or the primary). */
    /** The replica backend's pid: pg_backend_pid() is node-local, so it is asked for on the replica. */
    private static final String REPLICA_PID = "/* pgrouter:replica */ select pg_backend_pid()";

    private static int pid(Statement s, String sql, boolean onReplica) throws SQLException {
        assertEquals(onReplica ? "t" : "f", one(s, "select pg_is_in_recovery()"), sql);
        return Integer.parseInt(one(s, sql));
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String v = rs.getString(1);
            return "true".equals(v) ? "t" : "false".equals(v) ? "f" : v;
        }
    }
}
