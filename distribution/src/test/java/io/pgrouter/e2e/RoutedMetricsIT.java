package io.pgrouter.e2e;

import static io.pgrouter.e2e.MetricsEndpoint.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code pgrouter_statements_routed_total} in the assembled pgrouter with readsplit, a primary and
 * a replica: a known number of reads, a write the classifier cannot see (a function that inserts,
 * which the replica refuses and readsplit re-runs on the primary) and writes; the scraped
 * counters, read by the Prometheus client's parser, must grow by exactly that traffic, each
 * request counted once under one kind.
 */
class RoutedMetricsIT {
    private static final int METRICS_PORT = PgrouterProcess.freePort();
    private static final MetricsEndpoint metrics = new MetricsEndpoint(METRICS_PORT);
    private static final String ROUTED = "pgrouter_statements_routed_total";

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "readsplit",
            "metrics {\n  listen 127.0.0.1:" + METRICS_PORT + "\n}");

    @BeforeAll
    static void schema() throws Exception {
        fixture.cluster().primary().execute("create table counted (id serial primary key, v int)");
        // Writes behind a SELECT: pgrouter cannot see inside it, so the replica gets it and refuses.
        fixture.cluster().primary().execute("""
                create function bump() returns int language sql volatile
                as $$ insert into counted (v) values (1) returning id $$""");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        String replica = Configs.address(fixture.cluster().replicas().get(0));
        Await.until(Duration.ofSeconds(30), "the replica caught up and eligible for reads", () -> {
            Map<String, Double> s = metrics.scrape();
            return s.get(key("pgrouter_backend_eligible_for_reads", replica)) == 1.0
                    && Double.valueOf(0.0).equals(s.get(key("pgrouter_backend_lag_bytes", replica)));
        });
    }

    @Test
    void readsWritesAndARefusedStatementAreCountedOnceEachUnderTheirKind() throws Exception {
        String primary = Configs.address(fixture.cluster().primary());
        String replica = Configs.address(fixture.cluster().replicas().get(0));
        int reads = 12;
        int writes = 7;
        try (Connection c = fixture.connect(); Statement st = c.createStatement()) {
            Map<String, Double> before = metrics.scrape();
            // Reads first: a session that has not written reads from the replica without waiting.
            // Each text differs, so pgjdbc never switches to a named (server-prepared) statement.
            for (int i = 0; i < reads; i++) {
                try (ResultSet rs = st.executeQuery("select " + i + " as n")) {
                    assertTrue(rs.next());
                    assertEquals(i, rs.getInt(1));
                }
            }
            try (ResultSet rs = st.executeQuery("select bump()")) {
                assertTrue(rs.next(), "the primary ran what the replica refused");
            }
            for (int i = 0; i < writes; i++) {
                assertEquals(1, st.executeUpdate("insert into counted (v) values (" + i + ")"));
            }
            Map<String, Double> after = metrics.scrape();
            assertEquals(reads, delta(before, after, replica, "read"), "reads served by the replica");
            assertEquals(1, delta(before, after, primary, "retried"), "the refused statement, re-run on the primary");
            assertEquals(writes, delta(before, after, primary, "write"), "writes on the primary");
            assertEquals(0, delta(before, after, primary, "read"), "no read fell back to the primary");
            assertEquals(0, delta(before, after, replica, "write"));
            assertEquals(0, delta(before, after, replica, "retried"));

            String status = metrics.get("/status").body();
            String fromJson = MetricsEndpoint.python("""
                    import sys, json
                    b = {x['address']: x['routed'] for x in json.load(sys.stdin)['backends']}
                    print(b['%s']['read'], b['%s']['retried'])
                    """.formatted(replica, primary), status);
            assertEquals((long) (double) after.get(key(ROUTED, replica, "kind", "read")) + " "
                    + (long) (double) after.get(key(ROUTED, primary, "kind", "retried")) + "\n", fromJson,
                    "/status carries the same counts");
        }
    }

    private static long delta(Map<String, Double> before, Map<String, Double> after, String backend, String kind) {
        String k = key(ROUTED, backend, "kind", kind);
        assertTrue(after.containsKey(k), () -> k + " missing: " + after.keySet());
        return Math.round(after.get(k) - before.getOrDefault(k, 0.0));
    }
}
