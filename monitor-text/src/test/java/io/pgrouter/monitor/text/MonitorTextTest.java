package io.pgrouter.monitor.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.testkit.FixedStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MonitorTextTest {
    @Test
    void seedLinesAreByteExactAndComeFirst() {
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28));
        assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE), out);
    }

    @Test
    void aPauseShowsWhenItBeganAndHowManySessionsHoldARequest() {
        RouterStats paused = new TwoWorkersFiveClients() {
            @Override
            public java.util.Optional<java.time.Instant> pausedSince() {
                return java.util.Optional.of(java.time.Instant.parse("2024-05-01T12:00:00.123Z"));
            }

            @Override
            public long heldSessions() {
                return 3;
            }
        };
        String out = MonitorText.render(Snapshots.seedExample(), paused);
        assertTrue(out.contains("\nsplit-brain no\npaused 2024-05-01T12:00:00.123Z 3\n"), out);
        assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE.replace("workers 64\nclients 32\nconnections 28",
                "workers 2\nclients 5\nconnections 1")), out);
        assertTrue(!MonitorText.render(Snapshots.seedExample(), Snapshots.stats(2, 5, 1)).contains("paused"),
                "no line when not paused");
    }

    @Test
    void aDrainShowsWhenItBeganAndHowManySessionsAreLeftAndTheBudgetItsUse() {
        RouterStats base = Snapshots.stats(2, 5, 1);
        RouterStats draining = new TwoWorkersFiveClients() {
            @Override
            public java.util.Optional<java.time.Instant> drainingSince() {
                return java.util.Optional.of(java.time.Instant.parse("2024-05-01T12:00:00.123Z"));
            }

            @Override
            public long sessions() {
                return 7;
            }

            @Override
            public long bufferedBytes() {
                return 1_048_576;
            }

            @Override
            public long maxBuffered() {
                return 536_870_912;
            }
        };
        String out = MonitorText.render(Snapshots.seedExample(), draining);
        assertTrue(out.contains("\nsplit-brain no\ndraining 2024-05-01T12:00:00.123Z 7\nbuffered 1048576 536870912\n"), out);
        String quiet = MonitorText.render(Snapshots.seedExample(), base);
        assertTrue(!quiet.contains("draining") && !quiet.contains("buffered"), "no lines when not draining, no budget");
    }

    @Test
    void eachOkReplicasReplayedPositionHasALine() {
        java.util.Map<Endpoint, Long> known = Map.of(Endpoint.parse("10.0.0.1:6432"), 0x16B374D848L,
                Endpoint.parse("10.0.0.4:6432"), 5L);
        io.pgrouter.spi.cluster.ReplayPositions positions = new io.pgrouter.spi.cluster.ReplayPositions() {
            @Override
            public long replayed(Endpoint replica) {
                return known.getOrDefault(replica, 0L);
            }

            @Override
            public void observed(Endpoint replica, long position) {
            }
        };
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28), List.of(), positions);
        assertTrue(out.contains("\nreplayed 10.0.0.1:6432 16/B374D848\n"), out);
        assertTrue(!out.contains("replayed 10.0.0.4"), "a FAILED replica's old position is not shown");
    }

    @Test
    void routedCountsFollowTheRequestsOfEachBackendUsed() {
        RouterStats stats = new FixedStats(64, 32, 28).routed(Map.of(
                Endpoint.parse("10.0.0.1:6432"), Map.of(Routed.READ, 40200L, Routed.WRITE, 0L, Routed.RETRIED, 0L),
                Endpoint.parse("10.0.0.3:6432"), Map.of(Routed.READ, 13L, Routed.WRITE, 52097L, Routed.RETRIED, 3L)));
        String out = MonitorText.render(Snapshots.seedExample(), stats);
        assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE), "the original lines as they were");
        assertTrue(out.contains("""
                requests 10.0.0.5:6432 0
                routed 10.0.0.3:6432 13 52097 3
                routed 10.0.0.1:6432 40200 0 0
                error 10.0.0.4:6432"""), out);
        assertFalse(out.contains("routed 10.0.0.2:6432"), "a backend never used has no line");
    }

    @Test
    void extrasFollowTheBackendLines() {
        RouterStats stats = Snapshots.stats(64, 32, 28,
                Map.of(Endpoint.parse("10.0.0.3:6432"), 52113L, Endpoint.parse("10.0.0.1:6432"), 40210L));
        String out = MonitorText.render(Snapshots.seedExample(), stats);
        String extras = out.substring(Snapshots.SEED_EXAMPLE.length());
        assertEquals("""
                generation 42
                primary 10.0.0.3:6432
                split-brain no
                lagging 10.0.0.2:6432 208 200
                replay-delay 10.0.0.1:6432 1250
                requests 10.0.0.3:6432 52113
                requests 10.0.0.1:6432 40210
                requests 10.0.0.2:6432 0
                requests 10.0.0.4:6432 0
                requests 10.0.0.5:6432 0
                error 10.0.0.4:6432 Connection to 10.0.0.4:6432 refused. Check that the hostname and port are correct
                """, extras);
    }

    @Test
    void noExtraLineStartsWithAHostPort() {
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28));
        List<String> lines = out.lines().toList();
        for (String line : lines.subList(9, lines.size())) {
            assertTrue(!line.split(" ")[0].contains(":"), "extra line looks like a backend: " + line);
        }
    }

    @Test
    void splitBrainListsEveryClaimantAndNoPrimaryIsNone() {
        BackendState a = Snapshots.backend("10.0.0.1:5432", Role.PRIMARY, Status.OK, 0, 100, Optional.empty(), Optional.empty());
        BackendState b = Snapshots.backend("10.0.0.2:5432", Role.PRIMARY, Status.OK, 0, 100, Optional.empty(), Optional.empty());
        ClusterSnapshot s = new ClusterSnapshot(List.of(a, b), Optional.empty(), true, 7, Instant.EPOCH);
        String out = MonitorText.render(s, Snapshots.stats(2, 0, 0));
        assertEquals("""
                backends 2/2
                workers 2
                clients 0
                connections 0
                10.0.0.1:5432 master OK 0
                10.0.0.2:5432 master OK 0
                generation 7
                primary none
                split-brain yes 10.0.0.1:5432 10.0.0.2:5432
                requests 10.0.0.1:5432 0
                requests 10.0.0.2:5432 0
                """, out);
    }

    @Test
    void aReplicaThatAnswersButServesNoReadsStaysOkAndItsReasonFollows() {
        BackendState primary = Snapshots.backend("10.0.0.1:5432", Role.PRIMARY, Status.OK, 0, 100, Optional.empty(),
                Optional.empty());
        BackendState orphan = new BackendState(Endpoint.parse("10.0.0.2:5432"), TlsMode.OFF, 100, 1000,
                Duration.ZERO, Role.REPLICA, Status.OK, 120, Optional.of(Duration.ZERO), 5000, Following.ORPHANED,
                Instant.EPOCH, Optional.empty());
        BackendState slow = new BackendState(Endpoint.parse("10.0.0.3:5432"), TlsMode.OFF, 100, 1000,
                Duration.ofSeconds(30), Role.REPLICA, Status.OK, 0, Optional.of(Duration.ofMillis(45000)), 5120,
                Following.STREAMING, Instant.EPOCH, Optional.empty());
        ClusterSnapshot s = new ClusterSnapshot(List.of(primary, orphan, slow), Optional.of(primary), false, 3,
                Instant.EPOCH);
        String out = MonitorText.render(s, Snapshots.stats(2, 0, 0));
        assertEquals("""
                backends 3/3
                workers 2
                clients 0
                connections 0
                10.0.0.1:5432 master OK 0
                10.0.0.2:5432 slave OK 120
                10.0.0.3:5432 slave OK 0
                generation 3
                primary 10.0.0.1:5432
                split-brain no
                not-following 10.0.0.2:5432 orphaned
                delayed 10.0.0.3:5432 45000 30000
                replay-delay 10.0.0.2:5432 0
                replay-delay 10.0.0.3:5432 45000
                requests 10.0.0.1:5432 0
                requests 10.0.0.2:5432 0
                requests 10.0.0.3:5432 0
                """, out);
    }

    @Test
    void poolLinesComeLastSortedByBackendDatabaseAndUser() {
        List<PoolStats> pools = List.of(
                new PoolStats(Endpoint.parse("10.0.0.3:6432"), "shop", "bob", 1, 0, 0, Duration.ZERO),
                new PoolStats(Endpoint.parse("10.0.0.1:6432"), "shop", "alice", 0, 4, 0, Duration.ZERO),
                new PoolStats(Endpoint.parse("10.0.0.3:6432"), "app", "zed", 3, 2, 5, Duration.ofMillis(1250)),
                new PoolStats(Endpoint.parse("10.0.0.3:6432"), "shop", "alice", 2, 0, 0, Duration.ZERO));
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28), pools);
        assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE), out);
        assertTrue(out.endsWith("""
                error 10.0.0.4:6432 Connection to 10.0.0.4:6432 refused. Check that the hostname and port are correct
                pool 10.0.0.1:6432 shop alice 0 4 0 0
                pool 10.0.0.3:6432 app zed 3 2 5 1250
                pool 10.0.0.3:6432 shop alice 2 0 0 0
                pool 10.0.0.3:6432 shop bob 1 0 0 0
                """), out);
    }

    @Test
    void poolNamesArePercentEncodedSoEveryLineSplitsOnSingleSpaces() {
        List<PoolStats> pools = List.of(new PoolStats(Endpoint.parse("10.0.0.3:6432"), "my db", "100%\nbé",
                1, 0, 0, Duration.ZERO));
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28), pools);
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        assertEquals("pool 10.0.0.3:6432 my%20db 100%25%0Ab%C3%A9 1 0 0 0", last);
        assertEquals(8, last.split(" ").length, last);
    }

    @Test
    void plainNamesPrintUnchangedAndEveryUnsafeByteIsEncoded() {
        assertEquals("app_user-1.x@corp", MonitorNames.encode("app_user-1.x@corp"));
        assertEquals("%25%20%09%7F%E2%82%AC%F0%9F%98%80", MonitorNames.encode("% \t\u007f\u20ac\ud83d\ude00"));
    }

    /** 2 workers, 5 clients, 1 connection; a test overrides what it is about. */
    private abstract static class TwoWorkersFiveClients implements RouterStats {
        @Override
        public int workers() {
            return 2;
        }

        @Override
        public long clients() {
            return 5;
        }

        @Override
        public long connections() {
            return 1;
        }
    }
}
