package io.pgrouter.cli;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.Watcher;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.config.HealthConfig;
import io.pgrouter.health.sql.SqlHealthCheckFactory;
import io.pgrouter.monitor.text.TextMonitorFactory;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole chain on a real cluster: SQL health check, watcher, monitor port, then the monitor
 * output read line by line against the original pgrouter's format and {@code pgrouter-cli status} exit codes.
 */
class StatusEndToEndTest {
    private static final Duration CHECK = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration ROUND = CHECK.plus(TIMEOUT).plus(Duration.ofSeconds(2));
    private static final Pattern SEED_BACKEND = Pattern.compile("\\S+:\\d+ (master OK 0|slave OK \\d+|slave FAILED|slave STARTING)");

    private PgCluster cluster;
    private Watcher watcher;
    private Monitor monitor;
    private ClusterState state;
    private String monitorAddress;

    private static Endpoint endpoint(PgNode n) {
        return new Endpoint(n.host(), n.port());
    }

    private void start() throws Exception {
        cluster = PgCluster.start(2);
        cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
        List<BackendConfig> backends = cluster.nodes().stream()
                .map(n -> new BackendConfig(endpoint(n), TlsMode.OFF, 1024 * 1024, 1, "test")).toList();
        PluginConfig health = new PluginConfig("health", "test:1:1", Map.of("username", new Setting("postgres", "test:2:1")));
        state = new ClusterState(backends);
        watcher = new Watcher(backends, new HealthConfig(TIMEOUT, CHECK, "sql", health),
                new SqlHealthCheckFactory().create(health), state);
        watcher.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Endpoint address = new Endpoint("127.0.0.1", port);
        monitorAddress = address.toString();
        monitor = new TextMonitorFactory().create(PluginConfig.empty("text"), context(state, address));
        monitor.start();
    }

    private static MonitorContext context(ClusterView view, Endpoint address) {
        RouterStats stats = new RouterStats() {
            @Override
            public int workers() {
                return 2;
            }

            @Override
            public long clients() {
                return 0;
            }

            @Override
            public long connections() {
                return 0;
            }
        };
        return new MonitorContext() {
            @Override
            public ClusterView cluster() {
                return view;
            }

            @Override
            public RouterStats stats() {
                return stats;
            }

            @Override
            public Optional<Endpoint> monitorAddress() {
                return Optional.of(address);
            }
        };
    }

    @AfterEach
    void stop() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ClusterSnapshot await(String what, Duration within, Predicate<ClusterSnapshot> condition) {
        return Await.value(within, Duration.ofMillis(20), what, state::current, condition);
    }

    private StatusCommandTest.Run status() {
        return StatusCommandTest.run("status", "-m", monitorAddress, "--timeout", "2s");
    }

    @Test
    void monitorOutputFollowsTheSeedFormatLineByLine() throws Exception {
        start();
        await("all OK", ROUND, s -> s.backends().stream().allMatch(BackendState::isOk));
        List<String> lines = MonitorClient.fetch(HostPort.parse(monitorAddress), Duration.ofSeconds(2)).lines().toList();
        assertEquals("backends 3/3", lines.get(0));
        assertEquals("workers 2", lines.get(1));
        assertEquals("clients 0", lines.get(2));
        assertEquals("connections 0", lines.get(3));
        List<PgNode> nodes = cluster.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            String line = lines.get(4 + i);
            assertTrue(SEED_BACKEND.matcher(line).matches(), "seed backend line: " + line);
            assertTrue(line.startsWith(endpoint(nodes.get(i)) + " "), "configuration order: " + line);
            boolean isPrimary = endpoint(nodes.get(i)).equals(endpoint(cluster.primary()));
            assertEquals(isPrimary, line.endsWith(" master OK 0"), line);
        }
        for (String extra : lines.subList(4 + nodes.size(), lines.size())) {
            assertTrue(!extra.split(" ")[0].contains(":"), "extras never look like backend lines: " + extra);
        }
        assertTrue(lines.contains("primary " + endpoint(cluster.primary())), String.join("\n", lines));
        assertTrue(lines.contains("split-brain no"));
    }

    @Test
    void exitCodesFollowTheCluster() throws Exception {
        start();
        await("all OK", ROUND, s -> s.backends().stream().allMatch(BackendState::isOk));
        StatusCommandTest.Run ok = status();
        assertEquals(0, ok.exitCode(), ok.out());

        PgNode replica = cluster.replicas().get(0);
        replica.stop();
        await("replica FAILED", ROUND, s -> !s.backend(endpoint(replica)).orElseThrow().isOk());
        StatusCommandTest.Run warning = status();
        assertEquals(1, warning.exitCode(), warning.out());
        assertTrue(warning.out().contains(endpoint(replica) + " FAILED"), warning.out());
        replica.start();
        await("replica OK again", Duration.ofSeconds(15), s -> s.backend(endpoint(replica)).orElseThrow().isOk());
        assertEquals(0, status().exitCode());

        PgNode trusted = cluster.primary();
        PgNode rogue = cluster.replicas().get(1);
        cluster.promote(rogue);
        await("split brain", ROUND, ClusterSnapshot::splitBrain);
        StatusCommandTest.Run critical = status();
        assertEquals(2, critical.exitCode(), critical.out());
        assertTrue(critical.out().contains("split brain"), critical.out());
        assertTrue(critical.out().contains("writes stay on " + endpoint(trusted)), critical.out());
        String raw = MonitorClient.fetch(HostPort.parse(monitorAddress), Duration.ofSeconds(2));
        assertTrue(raw.contains("\nsplit-brain yes "), raw);

        monitor.close();
        assertEquals(2, status().exitCode(), "monitor gone");
    }
}
