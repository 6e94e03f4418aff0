package io.pgrouter.metrics.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import java.io.IOException;
import java.net.ServerSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plugin as core runs it: created from its block, started, asked over HTTP, closed. */
class MetricsMonitorTest {
    private final AtomicReference<ClusterSnapshot> state = new AtomicReference<>(MetricsTextTest.cluster());
    private Monitor monitor;
    private int port;

    private final MonitorContext context = new MonitorContext() {
        @Override
        public ClusterView cluster() {
            return state::get;
        }

        @Override
        public RouterStats stats() {
            return TestCluster.stats(2, 7, 6, MetricsTextTest.REQUESTS).routed(MetricsTextTest.ROUTED);
        }

        @Override
        public List<PoolStats> pools() {
            return MetricsTextTest.POOLS;
        }

        @Override
        public Optional<Endpoint> monitorAddress() {
            return Optional.empty();
        }
    };

    @AfterEach
    void close() {
        if (monitor != null) {
            monitor.close();
        }
    }

    private void start() throws Exception {
        port = freePort();
        monitor = new MetricsMonitorFactory().create(block(Map.of("listen", "127.0.0.1:" + port)), context);
        monitor.start();
    }

    @Test
    void withoutItsBlockItOpensNothing() {
        assertSame(Monitor.NONE, new MetricsMonitorFactory().create(PluginConfig.empty("metrics"), context));
    }

    @Test
    void itsBlockIsChecked() {
        MetricsMonitorFactory f = new MetricsMonitorFactory();
        ConfigException missing = assertThrows(ConfigException.class, () -> f.create(block(Map.of("port", "9187")), context));
        assertTrue(missing.getMessage().contains("unknown directive 'port'"), missing.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> f.create(block(Map.of("listen", "9187")), context));
        assertTrue(bad.getMessage().contains("listen: expected HOST:PORT"), bad.getMessage());
        assertTrue(bad.getMessage().startsWith("pgrouter.conf:3:10"), bad.getMessage());
    }

    @Test
    void servesMetricsInTheExpositionFormat() throws Exception {
        start();
        Response r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.contentType());
        Map<String, Double> s = Python.samples(Python.parseExposition(r.body()));
        assertEquals(120.0, s.get(MetricsTextTest.key("pgrouter_backend_requests_total", "backend", "10.0.0.1:5432")));
        assertEquals(7.0, s.get("pgrouter_clients{}"));
    }

    @Test
    void healthIsOkOnlyWhileWritesCanBeServed() throws Exception {
        start();
        Response ok = get("/health");
        assertEquals(200, ok.statusCode());
        assertEquals("ok: writes go to 10.0.0.1:5432\n", ok.body());

        state.set(new TestCluster().primary("10.0.0.1:5432").primary("10.0.0.5:5432").snapshot());
        Response split = get("/health");
        assertEquals(503, split.statusCode());
        assertEquals("split brain: 10.0.0.1:5432, 10.0.0.5:5432 claim to be primary\n", split.body());

        state.set(new TestCluster().failed("10.0.0.1:5432", "refused")
                .replica("10.0.0.2:5432", 0, Duration.ZERO, Duration.ZERO, Following.UNKNOWN).snapshot());
        Response none = get("/health");
        assertEquals(503, none.statusCode());
        assertEquals("no primary: 1 of 2 backends up, none of them primary\n", none.body());
        assertEquals(1, none.body().lines().count());
    }

    @Test
    void statusIsJson() throws Exception {
        start();
        Response r = get("/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.contentType());
        Map<String, String> j = Python.parseJson(r.body());
        assertEquals("true", j.get("writable"));
        assertEquals("\"10.0.0.1:5432\"", j.get("primary"));
        assertEquals("false", j.get("split_brain"));
        assertEquals("42", j.get("generation"));
        assertEquals("7", j.get("clients"));
        assertEquals("#5", j.get("backends"));
        assertEquals("\"10.0.0.2:5432\"", j.get("backends.1.address"));
        assertEquals("\"replica\"", j.get("backends.1.role"));
        assertEquals("\"ok\"", j.get("backends.1.status"));
        assertEquals("true", j.get("backends.1.eligible_for_reads"));
        assertEquals("2048", j.get("backends.1.lag_bytes"));
        assertEquals("1.5", j.get("backends.1.replay_delay_seconds"));
        assertEquals("37", j.get("backends.1.requests"));
        assertEquals("30", j.get("backends.1.routed.read"));
        assertEquals("2", j.get("backends.0.routed.retried"));
        assertEquals("0", j.get("backends.3.routed.write"), "every kind, for a backend never used too");
        assertEquals("\"orphaned\"", j.get("backends.2.following"));
        assertEquals("true", j.get("backends.2.not_following"));
        assertEquals("\"connection refused\\nretrying\"", j.get("backends.3.error"));
        assertEquals("null", j.get("backends.3.lag_bytes"));
        assertEquals("null", j.get("backends.4.checked_at"));
        assertEquals("#2", j.get("pools"));
        assertEquals("\"alice\"", j.get("pools.0.user"));
        assertEquals("0.25", j.get("pools.0.longest_wait_seconds"));
        assertEquals(StatusJson.string(MetricsTextTest.WEIRD_DATABASE), j.get("pools.1.database"));
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        start();
        assertEquals(404, get("/").statusCode());
        assertEquals(404, get("/metrics/extra").statusCode());
        assertEquals(405, request("POST", "/metrics").statusCode());
        Response head = request("HEAD", "/health");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void aTakenPortFailsStartWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Monitor m = new MetricsMonitorFactory().create(
                    block(Map.of("listen", "127.0.0.1:" + taken.getLocalPort())), context);
            IOException e = assertThrows(IOException.class, m::start);
            assertTrue(e.getMessage().startsWith("cannot listen for metrics on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
            m.close();
        }
    }

    private record Response(int statusCode, String contentType, String body) {
    }

    private Response get(String path) throws Exception {
        return request("GET", path);
    }

    private Response request(String method, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        c.setRequestMethod(method);
        if (method.equals("POST")) {
            c.setDoOutput(true);
            try (OutputStream out = c.getOutputStream()) {
                out.write("x".getBytes(StandardCharsets.UTF_8));
            }
        }
        int code = c.getResponseCode();
        InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        c.disconnect();
        return new Response(code, c.getContentType(), body);
    }

    private static PluginConfig block(Map<String, String> settings) {
        java.util.LinkedHashMap<String, Setting> s = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> s.put(k, new Setting(v, "pgrouter.conf:3:10")));
        return new PluginConfig("metrics", "pgrouter.conf:2:1", s);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
