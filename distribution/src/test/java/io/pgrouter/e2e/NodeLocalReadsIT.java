package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads of state that belongs to the node answering (the session's backend pid, its activity,
 * its locks) run where the session lives, the primary: what they show is what the session did.
 */
class NodeLocalReadsIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @BeforeAll
    static void replicasServeReads() throws Exception {
        fixture.cluster().primary().execute("create table node_local(id int)");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
    }

    @Test
    void theSessionsOwnPidActivityAndLocksAreThePrimarys() throws Exception {
        try (Connection c = fixture.connect(); Statement s = c.createStatement();
                Connection direct = fixture.cluster().primary().connect(); Statement d = direct.createStatement()) {
            assertTrue(one(s, "select pg_is_in_recovery()").equals("t"), "plain reads still go to replicas");
            String pid = one(s, "select pg_backend_pid()");
            assertEquals("1", one(d, "select count(*) from pg_stat_activity where pid = " + pid),
                    "pgrouter's pg_backend_pid() is the session's backend on the primary");
            assertEquals(pid, one(s, "select pid from pg_stat_activity where pid = pg_backend_pid()"),
                    "the session finds itself in pg_stat_activity");
            assertEquals("t", one(s, "/* pgrouter:replica */ select pg_is_in_recovery() from pg_stat_activity limit 1"),
                    "a replica hint still sends a node-local read to a replica");
            c.setAutoCommit(false); // a lock (and from here, read-your-writes) keeps the session on the primary
            s.execute("lock table node_local in share mode");
            assertEquals(one(d, "select count(*) from pg_locks where pid = " + pid + " and relation = 'node_local'::regclass"),
                    one(s, "select count(*) from pg_locks where pid = pg_backend_pid() and relation = 'node_local'::regclass"));
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String v = rs.getString(1);
            return "true".equals(v) ? "t" : "false".equals(v) ? "f" : v;
        }
    }
}
