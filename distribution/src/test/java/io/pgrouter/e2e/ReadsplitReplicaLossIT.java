package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A replica that goes away under a long-lived readsplit session costs the client nothing. */
class ReadsplitReplicaLossIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @Test
    void aStoppedReplicaIsLeftWithoutAnError() throws Exception {
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
        Set<Integer> replicas = fixture.cluster().replicas().stream().map(PgNode::port).collect(Collectors.toSet());
        try (Connection c = DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&preferQueryMode=simple",
                "postgres", ""); Statement s = c.createStatement()) {
            int first = port(s);
            assertTrue(replicas.contains(first), "the session reads from a replica");
            fixture.cluster().replicas().stream().filter(n -> n.port() == first).findFirst().orElseThrow().stop();
            // Every read from now on succeeds, and soon none goes to the stopped replica.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int inARowElsewhere = 0;
            while (inARowElsewhere < 10) {
                if (System.nanoTime() > deadline) {
                    fail("reads kept going to the stopped replica\n" + fixture.router().log());
                }
                inARowElsewhere = port(s) == first ? 0 : inARowElsewhere + 1;
            }
        }
    }

    private static int port(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select inet_server_port()")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }
}
