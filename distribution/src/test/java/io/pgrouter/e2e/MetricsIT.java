package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static io.pgrouter.e2e.MetricsEndpoint.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics plugin in the assembled pgrouter: a {@code metrics} block in front of a primary and
 * a replica with the pooled transaction pipeline. {@code /metrics} is read back by the
 * Prometheus Python client's parser (Debian's python3-prometheus-client, which .ci/run installs);
 * the request counters must grow by exactly the statements sent, and the pool of two sessions
 * must show one connection lent and one idle.
 */
class MetricsIT {
    private static final int METRICS_PORT = PgrouterProcess.freePort();
    private static final MetricsEndpoint metrics = new MetricsEndpoint(METRICS_PORT);

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "transaction",
            "metrics {\n  listen 127.0.0.1:" + METRICS_PORT + "\n}").pooled();

    @Test
    void metricsShowTheClusterThePoolAndTheTrafficSent() throws Exception {
        String primary = Configs.address(fixture.cluster().primary());
        String replica = Configs.address(fixture.cluster().replicas().get(0));
        Await.until(Duration.ofSeconds(30), "both backends up and the replica eligible for reads", () -> {
            Map<String, Double> s = metrics.scrape();
            return s.get(key("pgrouter_backend_up", primary)) == 1.0
                    && s.get(key("pgrouter_backend_role", primary, "role", "primary")) == 1.0
                    && s.get(key("pgrouter_backend_eligible_for_reads", replica)) == 1.0;
        });
        Map<String, Double> s = metrics.scrape();
        assertEquals(1.0, s.get(key("pgrouter_backend_primary", primary)));
        assertEquals(1.0, s.get(key("pgrouter_backend_role", replica, "role", "replica")));
        assertEquals(1.0, s.get(key("pgrouter_backend_status", replica, "status", "ok")));
        assertTrue(s.containsKey(key("pgrouter_backend_lag_bytes", replica)), s::toString);
        assertEquals(1.0, s.get("pgrouter_writable{}"));
        assertEquals(0.0, s.get("pgrouter_split_brain{}"));
        assertEquals(1.0, s.get("pgrouter_workers{}"));
        assertTrue(s.get("pgrouter_snapshot_generation{}") > 0, s::toString);

        try (Connection inTransaction = fixture.connect(); Connection finished = fixture.connect()) {
            inTransaction.setAutoCommit(false);
            try (Statement st = inTransaction.createStatement()) {
                st.execute("SELECT 1"); // holds its server connection until the transaction ends
            }
            try (Statement st = finished.createStatement()) {
                st.execute("SELECT 1"); // on a second server connection, which then goes back idle
            }
            String[] pool = {"backend", primary, "database", "postgres", "user", fixture.cluster().superuser()};
            Await.until(Duration.ofSeconds(10), "the pool shows one connection lent and one idle", () -> {
                Map<String, Double> p = metrics.scrape();
                return p.get(key("pgrouter_pool_active_connections", pool)) == 1.0
                        && p.get(key("pgrouter_pool_idle_connections", pool)) == 1.0;
            });
            Map<String, Double> withPool = metrics.scrape();
            assertEquals(0.0, withPool.get(key("pgrouter_pool_waiting_clients", pool)));
            assertEquals(0.0, withPool.get(key("pgrouter_pool_longest_wait_seconds", pool)));
            assertTrue(withPool.get("pgrouter_clients{}") >= 2, withPool::toString);
            assertTrue(withPool.get("pgrouter_server_connections{}") >= 2, withPool::toString);

            // Every statement pgjdbc sends is one Parse/Bind/Execute/Sync group: one request each.
            double before = requests(withPool);
            int sent = 25;
            try (Statement st = finished.createStatement()) {
                for (int i = 0; i < sent; i++) {
                    try (ResultSet rs = st.executeQuery("SELECT " + i)) {
                        assertTrue(rs.next());
                    }
                }
            }
            Map<String, Double> after = metrics.scrape();
            assertEquals(before + sent, requests(after), "requests counted across backends");
            // The transaction pipeline sends everything to the primary: each request a write there.
            String writes = key("pgrouter_statements_routed_total", primary, "kind", "write");
            assertEquals(withPool.get(writes) + sent, after.get(writes), "routed writes counted once each");
            assertEquals(0.0, after.get(key("pgrouter_statements_routed_total", replica, "kind", "read")),
                    "a configured backend has every kind from the start");
            String timed = "pgrouter_statement_duration_seconds_count{pipeline=\"transaction\"}";
            assertEquals(withPool.get(timed) + sent, after.get(timed), "each statement timed once");
            assertEquals(after.get(timed), after.get(
                    "pgrouter_statement_duration_seconds_bucket{le=\"+Inf\",pipeline=\"transaction\"}"));
            assertEquals(0.0, after.get("pgrouter_clients_waiting{}"));
            assertEquals(0.0, after.get("pgrouter_auth_failures_total{reason=\"password\"}"));
            inTransaction.rollback();
        }
    }

    @Test
    void healthSaysWritesAreServedAndStatusIsJson() throws Exception {
        String primary = Configs.address(fixture.cluster().primary());
        Await.until(Duration.ofSeconds(30), "/health answers 200", () -> metrics.get("/health").code() == 200);
        MetricsEndpoint.Response health = metrics.get("/health");
        assertEquals("ok: writes go to " + primary + "\n", health.body());

        MetricsEndpoint.Response status = metrics.get("/status");
        assertEquals(200, status.code());
        String parsed = MetricsEndpoint.python("import sys, json\nj = json.load(sys.stdin)\n"
                + "print(j['writable'], j['primary'], len(j['backends']), j['backends'][0]['address'])\n", status.body());
        assertEquals("True " + primary + " 2 " + primary + "\n", parsed);
    }

    @Test
    void theShippedGrafanaDashboardIsJsonAndQueriesOnlyMetricsThatExist() throws Exception {
        java.nio.file.Path dashboard = PgrouterProcess.home().resolve("share/grafana/pgrouter.json");
        // Every expr of every panel, then each pgrouter_ name in it, one per line.
        String names = MetricsEndpoint.python("""
                import sys, json, re
                d = json.load(sys.stdin)
                exprs = [t['expr'] for p in d['panels'] for t in p.get('targets', [])]
                assert d['title'] == 'pgrouter' and len(exprs) >= 10, exprs
                print('\\n'.join(sorted({n for e in exprs for n in re.findall(r'pgrouter_[a-z_]+', e)})))
                """, java.nio.file.Files.readString(dashboard));
        java.util.Set<String> exposed = new java.util.HashSet<>();
        for (String line : metrics.get("/metrics").body().lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ");
                exposed.add(f[2]);
                if (f[3].equals("histogram")) {
                    exposed.addAll(List.of(f[2] + "_bucket", f[2] + "_sum", f[2] + "_count"));
                }
            }
        }
        List<String> used = names.lines().toList();
        assertTrue(used.size() >= 15, "the dashboard covers the metrics: " + used);
        for (String name : used) {
            assertTrue(exposed.contains(name), name + " is in the dashboard but not in /metrics: " + exposed);
        }
    }

    private static double requests(Map<String, Double> samples) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith("pgrouter_backend_requests_total{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
