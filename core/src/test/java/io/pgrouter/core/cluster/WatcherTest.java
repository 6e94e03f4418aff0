package io.pgrouter.core.cluster;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.config.HealthConfig;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The watcher's scheduling with a scripted health check: no database needed. */
class WatcherTest {
    private static final Endpoint FAST = Endpoint.parse("127.0.0.1:1001");
    private static final Endpoint HUNG = Endpoint.parse("127.0.0.1:1002");
    private static final Endpoint BROKEN = Endpoint.parse("127.0.0.1:1003");
    private static final List<BackendConfig> BACKENDS = List.of(
            new BackendConfig(FAST, TlsMode.OFF, 100, 1, "t:1:1"),
            new BackendConfig(HUNG, TlsMode.OFF, 100, 1, "t:2:1"),
            new BackendConfig(BROKEN, TlsMode.OFF, 100, 1, "t:3:1"));

    /** FAST answers primary, HUNG blocks until released, BROKEN throws. */
    private static final class ScriptedCheck implements HealthCheck {
        final CountDownLatch release = new CountDownLatch(1);
        final ConcurrentHashMap<Endpoint, AtomicInteger> calls = new ConcurrentHashMap<>();
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public Probe probe(Endpoint backend, TlsMode tls, Duration timeout) throws Exception {
            calls.computeIfAbsent(backend, k -> new AtomicInteger()).incrementAndGet();
            if (backend.equals(HUNG)) {
                release.await();
                return new Probe(Role.REPLICA, 0, Optional.empty());
            }
            if (backend.equals(BROKEN)) {
                throw new IOException("connection refused");
            }
            return new Probe(Role.PRIMARY, 42, Optional.empty());
        }

        @Override
        public void close() {
            closed.set(true);
            release.countDown();
        }
    }

    private static HealthConfig health(Duration interval, Duration timeout) {
        return new HealthConfig(timeout, interval, "scripted", PluginConfig.empty("health"));
    }

    @Test
    void hungBackendIsFailedAtTheTimeoutWithoutHoldingUpTheOthers() {
        ScriptedCheck check = new ScriptedCheck();
        ClusterState state = new ClusterState(BACKENDS);
        try (Watcher watcher = new Watcher(BACKENDS, health(Duration.ofHours(1), Duration.ofMillis(300)), check, state)) {
            long start = System.nanoTime();
            ClusterSnapshot s = watcher.runRound();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 2_000, "round bounded by the timeout, took " + tookMillis + "ms");
            assertEquals(s, state.current(), "the round's snapshot is published");
            assertEquals(1, s.generation());
            assertEquals(Status.OK, s.backend(FAST).orElseThrow().status());
            assertEquals(Optional.of(FAST), s.primary().map(b -> b.address()));
            assertEquals(Status.FAILED, s.backend(HUNG).orElseThrow().status());
            assertEquals(Optional.of("no answer within 300ms"), s.backend(HUNG).orElseThrow().error());
            assertEquals(Optional.of("connection refused"), s.backend(BROKEN).orElseThrow().error());

            ClusterSnapshot s2 = watcher.runRound();
            assertEquals(2, s2.generation());
            assertEquals(1, check.calls.get(HUNG).get(), "never two probes in flight for one backend");
            assertTrue(s2.backend(HUNG).orElseThrow().error().orElseThrow().startsWith("previous probe has not returned"));
            assertEquals(2, check.calls.get(FAST).get());

            check.release.countDown();
            ClusterSnapshot s3 = waitFor(watcher, snap -> snap.backend(HUNG).orElseThrow().isOk());
            assertEquals(Role.REPLICA, s3.backend(HUNG).orElseThrow().role());
        }
        assertTrue(check.closed.get(), "the watcher closes its health check");
    }

    /** One primary whose probes answer, hang or fail as the test says. */
    private static final class SwitchableCheck implements HealthCheck {
        volatile String mode = "answer";
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Probe probe(Endpoint backend, TlsMode tls, Duration timeout) throws Exception {
            switch (mode) {
                case "hang" -> release.await();
                case "refuse" -> throw new IOException("connection refused");
                default -> { }
            }
            return new Probe(Role.PRIMARY, 42, Optional.empty());
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    @Test
    void anOkPrimaryThatTimesOutOnceKeepsItsRoleAndFailsOnTheSecondTimeoutOrAtOnceOnAnError() {
        SwitchableCheck check = new SwitchableCheck();
        List<BackendConfig> one = List.of(BACKENDS.get(0));
        ClusterState state = new ClusterState(one);
        try (Watcher watcher = new Watcher(one, health(Duration.ofHours(1), Duration.ofMillis(200)), check, state)) {
            assertEquals(Optional.of(FAST), watcher.runRound().primary().map(b -> b.address()));

            check.mode = "hang";
            ClusterSnapshot graced = watcher.runRound();
            assertEquals(Status.OK, graced.backend(FAST).orElseThrow().status(), "one slow round is forgiven");
            assertEquals(Optional.of(FAST), graced.primary().map(b -> b.address()));

            ClusterSnapshot failed = watcher.runRound();
            assertEquals(Status.FAILED, failed.backend(FAST).orElseThrow().status(), "the second one is not");
            assertEquals(Optional.empty(), failed.primary());

            check.mode = "answer";
            check.release.countDown();
            waitFor(watcher, snap -> snap.primary().isPresent());

            check.mode = "refuse";
            ClusterSnapshot refused = watcher.runRound();
            assertEquals(Status.FAILED, refused.backend(FAST).orElseThrow().status(), "an error fails at once");
            assertEquals(Optional.of("connection refused"), refused.backend(FAST).orElseThrow().error());
        }
    }

    @Test
    void scheduledRoundsPublishAndFirstRoundCanBeAwaited() throws InterruptedException {
        ScriptedCheck check = new ScriptedCheck();
        check.release.countDown();
        ClusterState state = new ClusterState(BACKENDS);
        try (Watcher watcher = new Watcher(BACKENDS, health(Duration.ofMillis(50), Duration.ofMillis(500)), check, state)) {
            assertEquals(Status.STARTING, state.current().backends().get(0).status());
            watcher.start();
            assertTrue(watcher.awaitFirstRound(Duration.ofSeconds(5)));
            assertTrue(state.current().generation() >= 1);
            Await.until(Duration.ofSeconds(5), Duration.ofMillis(10), "rounds repeat every interval",
                    () -> state.current().generation() >= 3);
        }
    }

    /** Runs rounds back to back (the checks are scripted, so a round is quick) until one satisfies the condition. */
    private static ClusterSnapshot waitFor(Watcher watcher, java.util.function.Predicate<ClusterSnapshot> condition) {
        return Await.value(Duration.ofSeconds(5), Duration.ZERO, "a round meeting the condition", watcher::runRound, condition);
    }

    /** A topology source the test drives: its leader, whether it answers, and its change listener. */
    private static final class ScriptedTopology implements io.pgrouter.spi.health.TopologySource {
        volatile Endpoint leader = FAST;
        volatile boolean reachable = true;
        volatile Duration grace = Duration.ZERO;
        volatile Runnable listener;
        final AtomicInteger fetches = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public io.pgrouter.spi.health.Topology fetch(Duration timeout) throws IOException {
            fetches.incrementAndGet();
            if (!reachable) {
                throw new IOException("etcd unreachable");
            }
            return new io.pgrouter.spi.health.Topology(List.of(
                    new io.pgrouter.spi.health.TopologyMember("a", FAST, leader.equals(FAST), "replica", "running",
                            java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), false),
                    new io.pgrouter.spi.health.TopologyMember("b", BROKEN, leader.equals(BROKEN), "replica", "running",
                            java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), false)));
        }

        @Override
        public Duration grace() {
            return grace;
        }

        @Override
        public void watch(Runnable onChange) {
            listener = onChange;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void aTopologySourceDecidesThePrimaryAndItsChangeRunsARoundAtOnce() throws Exception {
        ScriptedCheck check = new ScriptedCheck();
        check.release.countDown();
        ScriptedTopology topology = new ScriptedTopology();
        ClusterState state = new ClusterState(BACKENDS);
        List<io.pgrouter.spi.health.Topology> fetched = new java.util.concurrent.CopyOnWriteArrayList<>();
        Watcher watcher = new Watcher(BACKENDS, health(Duration.ofHours(1), Duration.ofMillis(500)), check,
                Optional.of(topology), state, fetched::add);
        try (watcher) {
            watcher.start();
            assertTrue(watcher.awaitFirstRound(Duration.ofSeconds(5)));
            assertEquals(Optional.of(FAST), state.current().primary().map(b -> b.address()));
            assertEquals("a", state.current().backend(FAST).orElseThrow().ha().orElseThrow().name());

            // The source loses the leader: with an hour between rounds, only its listener can tell.
            topology.leader = HUNG;
            long generation = state.current().generation();
            topology.listener.run();
            Await.until(Duration.ofSeconds(5), Duration.ofMillis(5), "a round run by the listener",
                    () -> state.current().generation() != generation);
            assertEquals(Optional.empty(), state.current().primary(), "the leader is not OK, so no primary");

            // Unreachable with no grace: lost at once, and the snapshot says why.
            topology.reachable = false;
            ClusterSnapshot lost = watcher.runRound();
            assertTrue(lost.topology().orElseThrow().isLost());
            assertEquals(Optional.of("etcd unreachable"), lost.topology().orElseThrow().error());
            assertEquals(List.of(FAST, BROKEN), fetched.get(0).members().stream().map(m -> m.address()).toList(),
                    "a fetched topology is handed on (backend discovery)");
            int handed = fetched.size();
            watcher.runRound();
            assertEquals(handed, fetched.size(), "a failed fetch hands nothing on");
        }
        assertTrue(topology.closed.get(), "the watcher closes its topology source");
    }

    @Test
    void aWatcherReplacingAnotherKeepsItsLastTopologyForTheGrace() {
        ScriptedCheck check = new ScriptedCheck();
        check.release.countDown();
        ClusterState state = new ClusterState(BACKENDS);
        HealthConfig health = new HealthConfig(Duration.ofMillis(500), Duration.ofHours(1), "scripted",
                new PluginConfig("health", "t", java.util.Map.of("topology",
                        new io.pgrouter.spi.config.Setting("patroni", "t:1:1"))));
        ScriptedTopology first = new ScriptedTopology();
        first.grace = Duration.ofHours(1);
        ScriptedTopology second = new ScriptedTopology();
        second.grace = Duration.ofHours(1);
        second.reachable = false;
        try (Watcher before = new Watcher(BACKENDS, health, check, Optional.of(first), state);
                Watcher after = new Watcher(BACKENDS, health, new ScriptedCheck(), Optional.of(second), state);
                Watcher forgetful = new Watcher(BACKENDS, health, new ScriptedCheck(), Optional.of(second), state)) {
            assertEquals(Optional.of(FAST), before.runRound().primary().map(b -> b.address()));
            before.close();
            after.takeOverTopology(before);
            ClusterSnapshot s = after.runRound();
            assertEquals(io.pgrouter.spi.cluster.TopologyStatus.Freshness.STALE, s.topology().orElseThrow().freshness(),
                    "the last topology is within its grace");
            assertEquals(Optional.of(FAST), s.primary().map(b -> b.address()));
            assertTrue(forgetful.runRound().topology().orElseThrow().isLost(), "without it, lost at once");
        }
    }
}
