package io.pgrouter.metrics.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.HaMember;
import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.pipeline.Routed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** /metrics rendered from a known state and read back by the Prometheus client's own parser. */
class MetricsTextTest {
    static final String WEIRD_DATABASE = "we\"ird\\db\nx é";

    static ClusterSnapshot cluster() {
        return new TestCluster()
                .primary("10.0.0.1:5432")
                .replica("10.0.0.2:5432", 2048, Duration.ofMillis(1500), Duration.ZERO, Following.STREAMING)
                .replica("10.0.0.3:5432", 2_000_000, Duration.ofSeconds(45), Duration.ofSeconds(30), Following.ORPHANED)
                .failed("10.0.0.4:5432", "connection refused\nretrying")
                .starting("[::1]:5433")
                .generation(42)
                .snapshot();
    }

    static final Map<Endpoint, Long> REQUESTS = Map.of(
            Endpoint.parse("10.0.0.1:5432"), 120L,
            Endpoint.parse("10.0.0.2:5432"), 37L,
            Endpoint.parse("10.0.0.9:5432"), 5L);

    /** Routed counts of the primary and one replica, and of a backend a reload removed. */
    static final Map<Endpoint, Map<Routed, Long>> ROUTED = Map.of(
            Endpoint.parse("10.0.0.1:5432"), Map.of(Routed.READ, 4L, Routed.WRITE, 100L, Routed.RETRIED, 2L),
            Endpoint.parse("10.0.0.2:5432"), Map.of(Routed.READ, 30L, Routed.WRITE, 0L, Routed.RETRIED, 0L),
            Endpoint.parse("10.0.0.9:5432"), Map.of(Routed.READ, 5L, Routed.WRITE, 0L, Routed.RETRIED, 0L));

    static final List<PoolStats> POOLS = List.of(
            new PoolStats(Endpoint.parse("10.0.0.2:5432"), WEIRD_DATABASE, "bob", 0, 1, 0, Duration.ZERO),
            new PoolStats(Endpoint.parse("10.0.0.1:5432"), "app", "alice", 3, 2, 1, Duration.ofMillis(250)));

    private static String render() {
        return MetricsText.render(cluster(), TestCluster.stats(2, 7, 6, REQUESTS).routed(ROUTED), POOLS);
    }

    @Test
    void theParserReadsEveryFamilyWithItsType() {
        List<String> parsed = Python.parseExposition(render());
        List<String> families = parsed.stream().filter(l -> l.startsWith("# family ")).toList();
        // The parser names a counter family without its _total suffix, as OpenMetrics does.
        for (String expected : List.of(
                "pgrouter_backend_up gauge", "pgrouter_backend_status gauge", "pgrouter_backend_role gauge",
                "pgrouter_backend_primary gauge", "pgrouter_backend_eligible_for_reads gauge",
                "pgrouter_backend_weight gauge", "pgrouter_backend_lag_bytes gauge",
                "pgrouter_backend_lag_threshold_bytes gauge", "pgrouter_backend_lagging gauge",
                "pgrouter_backend_replay_delay_seconds gauge", "pgrouter_backend_max_replay_delay_seconds gauge",
                "pgrouter_backend_delayed gauge", "pgrouter_backend_following gauge",
                "pgrouter_backend_not_following gauge", "pgrouter_backend_last_check_timestamp_seconds gauge",
                "pgrouter_backend_requests counter", "pgrouter_statements_routed counter", "pgrouter_writable gauge", "pgrouter_split_brain gauge",
                "pgrouter_snapshot_generation gauge", "pgrouter_snapshot_published_timestamp_seconds gauge",
                "pgrouter_workers gauge", "pgrouter_clients gauge", "pgrouter_server_connections gauge",
                "pgrouter_paused gauge", "pgrouter_paused_sessions gauge", "pgrouter_draining gauge",
                "pgrouter_buffered_bytes gauge", "pgrouter_max_buffered_bytes gauge", "pgrouter_clients_active gauge",
                "pgrouter_clients_waiting gauge", "pgrouter_auth_failures counter",
                "pgrouter_statement_duration_seconds histogram",
                "pgrouter_pool_active_connections gauge", "pgrouter_pool_idle_connections gauge",
                "pgrouter_pool_waiting_clients gauge", "pgrouter_pool_longest_wait_seconds gauge")) {
            assertTrue(families.contains("# family " + expected), () -> expected + " missing from " + families);
        }
        assertEquals(38, families.size(), families::toString);
        assertTrue(parsed.stream().filter(l -> l.startsWith("# help ")).noneMatch(l -> l.endsWith(" \"\"")),
                "every family has a HELP text");
    }

    @Test
    void backendsShowTheirStateRoleAndEligibility() {
        Map<String, Double> s = Python.samples(Python.parseExposition(render()));
        assertEquals(1.0, s.get(key("pgrouter_backend_up", "backend", "10.0.0.1:5432")));
        assertEquals(1.0, s.get(key("pgrouter_backend_up", "backend", "10.0.0.3:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_up", "backend", "10.0.0.4:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_up", "backend", "[::1]:5433")));

        assertEquals(1.0, s.get(key("pgrouter_backend_status", "backend", "10.0.0.4:5432", "status", "failed")));
        assertEquals(0.0, s.get(key("pgrouter_backend_status", "backend", "10.0.0.4:5432", "status", "ok")));
        assertEquals(1.0, s.get(key("pgrouter_backend_status", "backend", "[::1]:5433", "status", "starting")));
        assertEquals(1.0, s.get(key("pgrouter_backend_role", "backend", "10.0.0.1:5432", "role", "primary")));
        assertEquals(0.0, s.get(key("pgrouter_backend_role", "backend", "10.0.0.1:5432", "role", "replica")));
        assertEquals(1.0, s.get(key("pgrouter_backend_role", "backend", "10.0.0.2:5432", "role", "replica")));
        assertEquals(1.0, s.get(key("pgrouter_backend_role", "backend", "10.0.0.4:5432", "role", "unknown")));
        assertEquals(1.0, s.get(key("pgrouter_backend_primary", "backend", "10.0.0.1:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_primary", "backend", "10.0.0.2:5432")));

        assertEquals(0.0, s.get(key("pgrouter_backend_eligible_for_reads", "backend", "10.0.0.1:5432")));
        assertEquals(1.0, s.get(key("pgrouter_backend_eligible_for_reads", "backend", "10.0.0.2:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_eligible_for_reads", "backend", "10.0.0.3:5432")));
        assertEquals(100.0, s.get(key("pgrouter_backend_weight", "backend", "10.0.0.2:5432")));
    }

    @Test
    void replicasShowLagDelayAndWhetherTheyFollow() {
        Map<String, Double> s = Python.samples(Python.parseExposition(render()));
        assertEquals(2048.0, s.get(key("pgrouter_backend_lag_bytes", "backend", "10.0.0.2:5432")));
        assertEquals(2_000_000.0, s.get(key("pgrouter_backend_lag_bytes", "backend", "10.0.0.3:5432")));
        assertFalse(s.containsKey(key("pgrouter_backend_lag_bytes", "backend", "10.0.0.1:5432")), "no lag on a primary");
        assertFalse(s.containsKey(key("pgrouter_backend_lag_bytes", "backend", "10.0.0.4:5432")), "none when down");
        assertEquals(1_048_576.0, s.get(key("pgrouter_backend_lag_threshold_bytes", "backend", "10.0.0.3:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_lagging", "backend", "10.0.0.2:5432")));
        assertEquals(1.0, s.get(key("pgrouter_backend_lagging", "backend", "10.0.0.3:5432")));

        assertEquals(1.5, s.get(key("pgrouter_backend_replay_delay_seconds", "backend", "10.0.0.2:5432")));
        assertEquals(45.0, s.get(key("pgrouter_backend_replay_delay_seconds", "backend", "10.0.0.3:5432")));
        assertEquals(30.0, s.get(key("pgrouter_backend_max_replay_delay_seconds", "backend", "10.0.0.3:5432")));
        assertFalse(s.containsKey(key("pgrouter_backend_max_replay_delay_seconds", "backend", "10.0.0.2:5432")),
                "no limit, no sample");
        assertEquals(1.0, s.get(key("pgrouter_backend_delayed", "backend", "10.0.0.3:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_delayed", "backend", "10.0.0.2:5432")));

        assertEquals(1.0, s.get(key("pgrouter_backend_following", "backend", "10.0.0.2:5432", "state", "streaming")));
        assertEquals(0.0, s.get(key("pgrouter_backend_following", "backend", "10.0.0.2:5432", "state", "orphaned")));
        assertEquals(1.0, s.get(key("pgrouter_backend_following", "backend", "10.0.0.3:5432", "state", "orphaned")));
        assertEquals(1.0, s.get(key("pgrouter_backend_following", "backend", "10.0.0.1:5432", "state", "unknown")));
        assertEquals(0.0, s.get(key("pgrouter_backend_not_following", "backend", "10.0.0.2:5432")));
        assertEquals(1.0, s.get(key("pgrouter_backend_not_following", "backend", "10.0.0.3:5432")));

        assertEquals(1767323045.25, s.get(key("pgrouter_backend_last_check_timestamp_seconds", "backend", "10.0.0.2:5432")));
        assertFalse(s.containsKey(key("pgrouter_backend_last_check_timestamp_seconds", "backend", "[::1]:5433")),
                "never probed");
    }

    @Test
    void requestCountersIncludeUnusedAndRemovedBackends() {
        Map<String, Double> s = Python.samples(Python.parseExposition(render()));
        assertEquals(120.0, s.get(key("pgrouter_backend_requests_total", "backend", "10.0.0.1:5432")));
        assertEquals(37.0, s.get(key("pgrouter_backend_requests_total", "backend", "10.0.0.2:5432")));
        assertEquals(0.0, s.get(key("pgrouter_backend_requests_total", "backend", "10.0.0.4:5432")));
        assertEquals(5.0, s.get(key("pgrouter_backend_requests_total", "backend", "10.0.0.9:5432")));
    }

    @Test
    void statementsRoutedHaveEveryKindForEveryBackendUsedOrNotAndRemovedOnes() {
        Map<String, Double> s = Python.samples(Python.parseExposition(render()));
        String name = "pgrouter_statements_routed_total";
        assertEquals(100.0, s.get(key(name, "backend", "10.0.0.1:5432", "kind", "write")));
        assertEquals(4.0, s.get(key(name, "backend", "10.0.0.1:5432", "kind", "read")));
        assertEquals(2.0, s.get(key(name, "backend", "10.0.0.1:5432", "kind", "retried")));
        assertEquals(30.0, s.get(key(name, "backend", "10.0.0.2:5432", "kind", "read")));
        assertEquals(0.0, s.get(key(name, "backend", "10.0.0.4:5432", "kind", "read")), "never used: 0");
        assertEquals(0.0, s.get(key(name, "backend", "[::1]:5433", "kind", "retried")));
        assertEquals(5.0, s.get(key(name, "backend", "10.0.0.9:5432", "kind", "read")), "removed by a reload");
        assertEquals(6 * 3, s.keySet().stream().filter(k -> k.startsWith(name + "{")).count());
    }

    @Test
    void routerWideGaugesAndPools() {
        Map<String, Double> s = Python.samples(Python.parseExposition(render()));
        assertEquals(1.0, s.get("pgrouter_writable{}"));
        assertEquals(0.0, s.get("pgrouter_split_brain{}"));
        assertEquals(42.0, s.get("pgrouter_snapshot_generation{}"));
        assertEquals(1767323046.0, s.get("pgrouter_snapshot_published_timestamp_seconds{}"));
        assertEquals(2.0, s.get("pgrouter_workers{}"));
        assertEquals(7.0, s.get("pgrouter_clients{}"));
        assertEquals(6.0, s.get("pgrouter_server_connections{}"));

        String[] app = {"backend", "10.0.0.1:5432", "database", "app", "user", "alice"};
        assertEquals(3.0, s.get(key("pgrouter_pool_active_connections", app)));
        assertEquals(2.0, s.get(key("pgrouter_pool_idle_connections", app)));
        assertEquals(1.0, s.get(key("pgrouter_pool_waiting_clients", app)));
        assertEquals(0.25, s.get(key("pgrouter_pool_longest_wait_seconds", app)));
        // Quote, backslash and newline escaped in the label, and read back as they were.
        String[] weird = {"backend", "10.0.0.2:5432", "database", WEIRD_DATABASE, "user", "bob"};
        assertEquals(1.0, s.get(key("pgrouter_pool_idle_connections", weird)));
        assertEquals(0.0, s.get(key("pgrouter_pool_longest_wait_seconds", weird)));
    }

    @Test
    void theTextFollowsTheFormatsRules() {
        String text = render();
        assertTrue(text.endsWith("\n"));
        assertTrue(text.contains("database=\"we\\\"ird\\\\db\\nx é\""), text);
        // Each family: HELP then TYPE once, then its samples together.
        Set<String> seen = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        List<String> lines = new ArrayList<>(text.lines().toList());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("# HELP ")) {
                current = line.split(" ")[2];
                assertTrue(seen.add(current), "family given twice: " + current);
                assertTrue(lines.get(i + 1).startsWith("# TYPE " + current + " "), lines.get(i + 1));
            } else if (!line.startsWith("#")) {
                assertTrue(current != null && line.startsWith(current), line + " outside its family " + current);
                assertTrue(series.add(line.substring(0, line.lastIndexOf(' '))), "series given twice: " + line);
            }
        }
    }

    @Test
    void anEmptyRouterStillRendersEveryFamily() {
        ClusterSnapshot empty = new TestCluster().generation(0).snapshot();
        List<String> parsed = Python.parseExposition(MetricsText.render(empty, TestCluster.stats(1, 0, 0, Map.of()),
                List.of()));
        assertEquals(38, parsed.stream().filter(l -> l.startsWith("# family ")).count(), parsed::toString);
        Map<String, Double> s = Python.samples(parsed);
        assertEquals(0.0, s.get("pgrouter_writable{}"));
        assertEquals(1.0, s.get("pgrouter_workers{}"));
    }

    @Test
    void secondsAreExactDecimals() {
        assertEquals("0", Exposition.seconds(Duration.ZERO));
        assertEquals("0.001", Exposition.seconds(Duration.ofMillis(1)));
        assertEquals("1.5", Exposition.seconds(Duration.ofMillis(1500)));
        assertEquals("0.000000001", Exposition.seconds(Duration.ofNanos(1)));
        assertEquals("3600", Exposition.seconds(Duration.ofHours(1)));
    }

    /** A sample's key as {@link Python#samples} gives it: labels as passed (sorted), JSON-quoted. */
    @Test
    void anHaManagersTopologyHasItsOwnFamilies() {
        ClusterSnapshot plain = new TestCluster().primary("10.0.0.1:5432")
                .replica("10.0.0.2:5432", 0, Duration.ZERO, Duration.ZERO,
                        Following.STREAMING).snapshot();
        List<io.pgrouter.spi.cluster.BackendState> backends = List.of(
                plain.backends().get(0).withHa(Optional.of(new io.pgrouter.spi.cluster.HaMember("n1", "leader",
                        "running", false, Optional.empty()))),
                plain.backends().get(1).withHa(Optional.of(new io.pgrouter.spi.cluster.HaMember("n2", "replica",
                        "running", true, Optional.of("the health check saw a primary, patroni says replica")))));
        ClusterSnapshot s = new io.pgrouter.spi.cluster.ClusterSnapshot(backends,
                Optional.empty(), false, 3, plain.publishedAt(), Optional.of(
                        new io.pgrouter.spi.cluster.TopologyStatus("patroni", TopologyStatus.Freshness.LOST,
                                TestCluster.CHECKED, Duration.ofSeconds(10), Optional.of("etcd down"))));
        Map<String, Double> samples = Python.samples(Python.parseExposition(
                MetricsText.render(s, TestCluster.stats(2, 0, 0, Map.of()), List.of())));
        assertEquals(1.0, samples.get(key("pgrouter_topology_freshness", "source", "patroni", "state", "lost")));
        assertEquals(0.0, samples.get(key("pgrouter_topology_freshness", "source", "patroni", "state", "current")));
        assertEquals(1.0, samples.get(key("pgrouter_backend_ha_held", "backend", "10.0.0.2:5432")));
        assertEquals(0.0, samples.get(key("pgrouter_backend_ha_held", "backend", "10.0.0.1:5432")));
        assertEquals(1.0, samples.get(key("pgrouter_backend_ha_disagreement", "backend", "10.0.0.2:5432")));
        assertEquals(0.0, samples.get(key("pgrouter_writable")));
        assertTrue(WriteHealth.of(s).reason().contains("patroni topology has been unreachable"), WriteHealth.of(s).reason());
    }

    @Test
    void trafficIsAHistogramPerPipelineAuthFailuresByReasonAndClientsActiveOrWaiting() {
        io.pgrouter.spi.monitor.RouterStats stats = new io.pgrouter.spi.testkit.FixedStats(1, 5, 2) {
            @Override
            public java.util.Optional<io.pgrouter.spi.monitor.StatementLatency> statementLatency() {
                return java.util.Optional.of(new io.pgrouter.spi.monitor.StatementLatency("readsplit",
                        new double[] {0.001, 0.01}, new long[] {3, 4, 1}, 0.125));
            }

            @Override
            public Map<String, Long> authFailures() {
                return Map.of("password", 2L);
            }
        };
        io.pgrouter.spi.monitor.PoolStats waiting = new io.pgrouter.spi.monitor.PoolStats(
                io.pgrouter.spi.cluster.Endpoint.parse("10.0.0.1:5432"), "app", "alice", 1, 0, 2,
                java.time.Duration.ofMillis(5));
        Map<String, Double> s = Python.samples(Python.parseExposition(
                MetricsText.render(new TestCluster().snapshot(), stats, List.of(waiting))));
        assertEquals(3.0, s.get(key("pgrouter_statement_duration_seconds_bucket", "le", "0.001", "pipeline", "readsplit")));
        assertEquals(7.0, s.get(key("pgrouter_statement_duration_seconds_bucket", "le", "0.01", "pipeline", "readsplit")),
                "buckets are cumulative");
        assertEquals(8.0, s.get(key("pgrouter_statement_duration_seconds_bucket", "le", "+Inf", "pipeline", "readsplit")));
        assertEquals(8.0, s.get(key("pgrouter_statement_duration_seconds_count", "pipeline", "readsplit")));
        assertEquals(0.125, s.get(key("pgrouter_statement_duration_seconds_sum", "pipeline", "readsplit")));
        assertEquals(2.0, s.get(key("pgrouter_auth_failures_total", "reason", "password")));
        assertEquals(0.0, s.get(key("pgrouter_auth_failures_total", "reason", "hba")), "every reason from the start");
        assertEquals(2.0, s.get(key("pgrouter_clients_waiting")));
        assertEquals(3.0, s.get(key("pgrouter_clients_active")));
    }

    @Test
    void aPipelinesOwnEventsAreCountersByName() {
        io.pgrouter.spi.monitor.RouterStats stats = new io.pgrouter.spi.testkit.FixedStats(1, 0, 0) {
            @Override
            public Map<String, Long> pipelineEvents() {
                return Map.of("sessions_moved", 3L, "sessions_ended_by_failover", 0L);
            }
        };
        List<String> parsed = Python.parseExposition(MetricsText.render(new TestCluster().snapshot(), stats, List.of()));
        assertTrue(parsed.contains("# family pgrouter_pipeline_events counter"), parsed::toString);
        Map<String, Double> s = Python.samples(parsed);
        assertEquals(3.0, s.get(key("pgrouter_pipeline_events_total", "event", "sessions_moved")));
        assertEquals(0.0, s.get(key("pgrouter_pipeline_events_total", "event", "sessions_ended_by_failover")));
    }

    static String key(String name, String... labels) {
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append('=').append(StatusJson.string(labels[i + 1]));
        }
        return b.append('}').toString();
    }
}
