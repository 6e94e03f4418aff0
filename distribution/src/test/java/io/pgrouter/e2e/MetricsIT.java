package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "transaction",
            "metrics {\n  listen 127.0.0.1:" + METRICS_PORT + "\n}").pooled();

    /** One line per sample: {@code NAME{k="v",...} VALUE}, labels sorted, values JSON-quoted. */
    private static final String PARSE = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                for s in f.samples:
                    labels = ','.join('%s=%s' % (k, json.dumps(v, ensure_ascii=False)) for k, v in sorted(s.labels.items()))
                    print('%s{%s} %r' % (s.name, labels, s.value))
            """;

    @Test
    void metricsShowTheClusterThePoolAndTheTrafficSent() throws Exception {
        String primary = Configs.address(fixture.cluster().primary());
        String replica = Configs.address(fixture.cluster().replicas().get(0));
        Await.until(Duration.ofSeconds(30), "both backends up and the replica eligible for reads", () -> {
            Map<String, Double> s = scrape();
            return s.get(key("pgrouter_backend_up", primary)) == 1.0
                    && s.get(key("pgrouter_backend_role", primary, "role", "primary")) == 1.0
                    && s.get(key("pgrouter_backend_eligible_for_reads", replica)) == 1.0;
        });
        Map<String, Double> s = scrape();
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
                Map<String, Double> p = scrape();
                return p.get(key("pgrouter_pool_active_connections", pool)) == 1.0
                        && p.get(key("pgrouter_pool_idle_connections", pool)) == 1.0;
            });
            Map<String, Double> withPool = scrape();
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
            Map<String, Double> after = scrape();
            assertEquals(before + sent, requests(after), "requests counted across backends");
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
        Await.until(Duration.ofSeconds(30), "/health answers 200", () -> get("/health").code() == 200);
        Response health = get("/health");
        assertEquals("ok: writes go to " + primary + "\n", health.body());

        Response status = get("/status");
        assertEquals(200, status.code());
        String parsed = python("import sys, json\nj = json.load(sys.stdin)\n"
                + "print(j['writable'], j['primary'], len(j['backends']), j['backends'][0]['address'])\n", status.body());
        assertEquals("True " + primary + " 2 " + primary + "\n", parsed);
    }

    @Test
    void theShippedGrafanaDashboardIsJsonAndQueriesOnlyMetricsThatExist() throws Exception {
        java.nio.file.Path dashboard = PgrouterProcess.home().resolve("share/grafana/pgrouter.json");
        // Every expr of every panel, then each pgrouter_ name in it, one per line.
        String names = python("""
                import sys, json, re
                d = json.load(sys.stdin)
                exprs = [t['expr'] for p in d['panels'] for t in p.get('targets', [])]
                assert d['title'] == 'pgrouter' and len(exprs) >= 10, exprs
                print('\\n'.join(sorted({n for e in exprs for n in re.findall(r'pgrouter_[a-z_]+', e)})))
                """, java.nio.file.Files.readString(dashboard));
        java.util.Set<String> exposed = new java.util.HashSet<>();
        for (String line : get("/metrics").body().lines().toList()) {
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

    /** GET /metrics, parsed by the Prometheus client: sample key to value. */
    private static Map<String, Double> scrape() throws IOException {
        Response r = get("/metrics");
        assertEquals(200, r.code(), r.body());
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : python(PARSE, r.body()).lines().toList()) {
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static String key(String name, String backend, String... more) {
        String[] labels = new String[more.length + 2];
        labels[0] = "backend";
        labels[1] = backend;
        System.arraycopy(more, 0, labels, 2, more.length);
        return key(name, labels);
    }

    private static String key(String name, String[] labels) {
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            b.append(i > 0 ? "," : "").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    private record Response(int code, String body) {
    }

    private static Response get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + METRICS_PORT + path).openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        int code = c.getResponseCode();
        try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new Response(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    /** Runs a script on the input with the Python that has prometheus_client (Debian's, first). */
    private static String python(String script, String input) throws IOException {
        for (String interpreter : List.of("/usr/bin/python3", "python3")) {
            Process p;
            try {
                p = new ProcessBuilder(interpreter, "-c", script).start();
            } catch (IOException notThere) {
                continue;
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("python did not finish");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (p.exitValue() == 0) {
                return out;
            }
            if (!err.contains("No module named 'prometheus_client'")) {
                throw new AssertionError("the parser rejected the input:\n" + err + "\ninput:\n" + input);
            }
        }
        throw new AssertionError("no python3 with prometheus_client: install Debian's python3-prometheus-client"
                + " (.ci/run does)");
    }
}
