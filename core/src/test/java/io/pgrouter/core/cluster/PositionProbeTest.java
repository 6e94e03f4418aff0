package io.pgrouter.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The position probe's pace, with a health check that counts its calls: no database needed. */
class PositionProbeTest {
    private static final Endpoint REPLICA = Endpoint.parse("127.0.0.1:1001");
    private static final List<BackendConfig> BACKENDS = List.of(new BackendConfig(REPLICA, TlsMode.OFF, 100, 1, "t:1:1"));

    /** Answers position 1000 and counts the reads. */
    private static final class CountingCheck implements HealthCheck {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Probe probe(Endpoint backend, TlsMode tls, Duration timeout) {
            throw new UnsupportedOperationException("the position probe never probes");
        }

        @Override
        public OptionalLong replayPosition(Endpoint backend, TlsMode tls, Optional<Path> trustedCa, Duration timeout) {
            reads.incrementAndGet();
            return OptionalLong.of(1000);
        }
    }

    private static ClusterSnapshot okReplica() {
        BackendState replica = new BackendState(REPLICA, TlsMode.OFF, 1, 100, Role.REPLICA, Status.OK, 0,
                Optional.empty(), Instant.now(), Optional.empty());
        return new ClusterSnapshot(List.of(replica), Optional.empty(), false, 1, Instant.now());
    }

    @Test
    void readsAtTheFastPaceOnlyWhileReadsAskForPositions() {
        CountingCheck check = new CountingCheck();
        ReplayPositionCache positions = new ReplayPositionCache();
        ClusterSnapshot cluster = okReplica();
        try (PositionProbe probe = new PositionProbe(BACKENDS, Duration.ofMillis(2), Duration.ofHours(1),
                Duration.ofSeconds(1), check, () -> cluster, positions)) {
            probe.start();
            Await.until(Duration.ofSeconds(10), "the first round reads at once", () -> positions.known(REPLICA) == 1000);
            // Nobody asks: no read until the idle interval (an hour) has passed. Asking once
            // more ends the quiet, so the count seen before it is the whole quiet period's.
            long quietUntil = System.nanoTime() + Duration.ofMillis(200).toNanos();
            while (System.nanoTime() < quietUntil) {
                assertEquals(1000, positions.known(REPLICA), "a monitor's look is not a read's demand");
                Thread.onSpinWait();
            }
            assertEquals(1, check.reads.get(), "one read in 200 ms of 2 ms ticks without demand");

            // A read waits on positions: the probe reads at its fast pace again.
            Await.until(Duration.ofSeconds(10), "reads every replay_check while asked", () -> {
                positions.replayed(REPLICA);
                return check.reads.get() >= 5;
            });
            assertTrue(check.reads.get() >= 5);
        }
    }
}
