package io.pgrouter.health.sql;

import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.Watcher;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.config.HealthConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.testkit.PgNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A watcher with the SQL health check over testkit nodes, with the short test intervals. */
final class ClusterFixture {
    static final Duration CHECK = Duration.ofMillis(200);
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private ClusterFixture() {
    }

    static Endpoint endpoint(PgNode node) {
        return new Endpoint(node.host(), node.port());
    }

    static PluginConfig healthBlock() {
        return new PluginConfig("health", "test:1:1", Map.of(
                "username", new Setting("postgres", "test:2:1"),
                "database", new Setting("postgres", "test:3:1")));
    }

    static List<BackendConfig> backends(List<PgNode> nodes, long lagThreshold) {
        return nodes.stream().map(n -> new BackendConfig(endpoint(n), TlsMode.OFF, lagThreshold, 1, "test")).toList();
    }

    /** A started watcher over the nodes; the caller closes it. */
    static Watcher watcher(List<BackendConfig> backends, ClusterState state) {
        HealthConfig health = new HealthConfig(TIMEOUT, CHECK, "sql", healthBlock());
        Watcher w = new Watcher(backends, health, new SqlHealthCheckFactory().create(healthBlock()), state);
        w.start();
        return w;
    }

    static BackendState state(ClusterSnapshot s, PgNode node) {
        return s.backend(endpoint(node)).orElseThrow();
    }

    /** Polls the published snapshot until the condition holds; fails with the last one seen. */
    static ClusterSnapshot await(ClusterState state, Duration within, String what, Predicate<ClusterSnapshot> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        ClusterSnapshot s = state.current();
        while (!condition.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not seen within " + within.toMillis() + "ms; last snapshot: " + s);
            }
            Thread.sleep(20);
            s = state.current();
        }
        return s;
    }
}
