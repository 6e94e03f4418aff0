package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.monitor.text.TextMonitorFactory;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MonitorParserTest {
    /** The original pgrouter's example, verbatim. */
    static final String SEED = "backends 3/5\n"
            + "workers 64\n"
            + "clients 32\n"
            + "connections 28\n"
            + "10.0.0.3:6432 master OK 0\n"
            + "10.0.0.1:6432 slave OK 200\n"
            + "10.0.0.2:6432 slave OK 208\n"
            + "10.0.0.4:6432 slave FAILED\n"
            + "10.0.0.5:6432 slave STARTING\n";

    static final String EXTENDED = SEED
            + "generation 42\n"
            + "primary 10.0.0.3:6432\n"
            + "split-brain no\n"
            + "lagging 10.0.0.2:6432 208 200\n"
            + "replay-delay 10.0.0.1:6432 1250\n"
            + "error 10.0.0.4:6432 Connection to 10.0.0.4:6432 refused.\n"
            + "some-future-line 1 2 3\n";

    @Test
    void parsesTheSeedExample() throws Exception {
        MonitorReport r = MonitorParser.parse(SEED);
        assertEquals(3, r.backendsOk());
        assertEquals(5, r.backendsTotal());
        assertEquals(64, r.workers());
        assertEquals(32, r.clients());
        assertEquals(28, r.connections());
        assertEquals(List.of("10.0.0.3:6432", "10.0.0.1:6432", "10.0.0.2:6432", "10.0.0.4:6432", "10.0.0.5:6432"),
                r.backends().stream().map(MonitorReport.Backend::address).toList());
        assertEquals(OptionalLong.of(208), r.backends().get(2).lagBytes());
        assertEquals("FAILED", r.backends().get(3).status());
        assertEquals(OptionalLong.empty(), r.backends().get(3).lagBytes());
        assertEquals("STARTING", r.backends().get(4).status());
        assertFalse(r.extended());
        assertEquals(Optional.of("10.0.0.3:6432"), r.primary(), "inferred from the only OK master");
        assertFalse(r.splitBrain());
    }

    @Test
    void parsesEachReplicasReplayedPosition() throws Exception {
        MonitorReport r = MonitorParser.parse(SEED + "generation 1\nprimary 10.0.0.3:6432\nsplit-brain no\n"
                + "replayed 10.0.0.1:6432 16/B374D848\n");
        assertEquals(Optional.of("16/B374D848"), r.backends().get(1).replayed());
        assertEquals(Optional.empty(), r.backends().get(2).replayed());
        assertTrue(StatusFormat.table("m", r, Verdict.of(r)).contains("16/B374D848"));
        assertThrows(MonitorFormatException.class, () -> MonitorParser.parse(SEED + "replayed 10.0.0.1:6432 later\n"));
    }

    @Test
    void parsesWhyAnOkReplicaGetsNoReads() throws Exception {
        MonitorReport r = MonitorParser.parse(SEED + "generation 1\nprimary 10.0.0.3:6432\nsplit-brain no\n"
                + "not-following 10.0.0.1:6432 other-timeline\ndelayed 10.0.0.2:6432 45000 30000\n");
        MonitorReport.Backend orphan = r.backends().get(1);
        assertEquals(Optional.of("other-timeline"), orphan.notFollowing());
        assertEquals("OK", orphan.status(), "it still answers");
        MonitorReport.Backend slow = r.backends().get(2);
        assertTrue(slow.isDelayed());
        assertEquals(OptionalLong.of(30000), slow.maxReplayDelayMillis());
        assertEquals(OptionalLong.of(45000), slow.replayDelayMillis());
        assertEquals(Optional.empty(), r.backends().get(0).notFollowing());
        assertThrows(MonitorFormatException.class, () -> MonitorParser.parse(SEED + "not-following 10.9.9.9:1 orphaned\n"));
    }

    @Test
    void parsesTheExtras() throws Exception {
        MonitorReport r = MonitorParser.parse(EXTENDED);
        assertTrue(r.extended());
        assertEquals(OptionalLong.of(42), r.generation());
        assertEquals(Optional.of("10.0.0.3:6432"), r.primary());
        MonitorReport.Backend lagging = r.backends().get(2);
        assertTrue(lagging.isLagging());
        assertEquals(OptionalLong.of(200), lagging.lagThreshold());
        assertFalse(r.backends().get(1).isLagging());
        assertEquals(OptionalLong.of(1250), r.backends().get(1).replayDelayMillis());
        assertEquals(Optional.of("Connection to 10.0.0.4:6432 refused."), r.backends().get(3).error());
    }

    @Test
    void splitBrainLineAndPrimaryNone() throws Exception {
        MonitorReport r = MonitorParser.parse("backends 2/2\nworkers 1\nclients 0\nconnections 0\n"
                + "a:1 master OK 0\nb:2 master OK 0\nprimary none\nsplit-brain yes a:1 b:2\n");
        assertTrue(r.splitBrain());
        assertEquals(List.of("a:1", "b:2"), r.splitBrainNodes());
        assertEquals(Optional.empty(), r.primary());
    }

    @Test
    void twoMastersWithoutExtrasIsASplitBrain() throws Exception {
        MonitorReport r = MonitorParser.parse("backends 2/2\r\nworkers 1\r\nclients 0\r\nconnections 0\r\n"
                + "a:1 master OK 0\r\nb:2 master OK 0\r\n");
        assertTrue(r.splitBrain());
        assertEquals(Optional.empty(), r.primary());
    }

    @Test
    void truncatedOutputIsAnError() {
        String cut = SEED.substring(0, SEED.indexOf("10.0.0.4"));
        MonitorFormatException e = assertThrows(MonitorFormatException.class, () -> MonitorParser.parse(cut));
        assertTrue(e.getMessage().contains("announces 5 backend(s) but 3 are listed"), e.getMessage());
    }

    @Test
    void malformedLinesAreErrorsNamingTheLine() {
        MonitorFormatException e = assertThrows(MonitorFormatException.class,
                () -> MonitorParser.parse(SEED.replace("slave OK 200", "slave OK")));
        assertTrue(e.getMessage().startsWith("monitor output line 6:"), e.getMessage());
        assertThrows(MonitorFormatException.class, () -> MonitorParser.parse("HTTP/1.1 400 Bad Request\n\n\n\n"));
        assertThrows(MonitorFormatException.class, () -> MonitorParser.parse(""));
        assertThrows(MonitorFormatException.class, () -> MonitorParser.parse(SEED + "lagging 9.9.9.9:1 5 1\n"));
    }

    @Test
    void parsesPoolLinesAndDecodesTheirNames() throws Exception {
        MonitorReport r = MonitorParser.parse(EXTENDED
                + "pool 10.0.0.1:6432 my%20db 100%25%0Ab%C3%A9 0 4 0 0\n"
                + "pool 10.0.0.3:6432 app alice 3 2 5 1250\n");
        assertEquals(List.of(
                new MonitorReport.Pool("10.0.0.1:6432", "my db", "100%\nbé", 0, 4, 0, 0),
                new MonitorReport.Pool("10.0.0.3:6432", "app", "alice", 3, 2, 5, 1250)), r.pools());
        assertEquals(List.of(), MonitorParser.parse(EXTENDED).pools(), "no pool lines, no pools");
    }

    @Test
    void poolLinesMayGainTrailingFieldsButNotLoseAny() throws Exception {
        MonitorReport r = MonitorParser.parse(SEED + "pool 10.0.0.3:6432 app alice 3 2 5 1250 some-future-field 7\n");
        assertEquals(List.of(new MonitorReport.Pool("10.0.0.3:6432", "app", "alice", 3, 2, 5, 1250)), r.pools());
        MonitorFormatException e = assertThrows(MonitorFormatException.class,
                () -> MonitorParser.parse(SEED + "pool 10.0.0.3:6432 app alice 3 2 5\n"));
        assertTrue(e.getMessage().startsWith("monitor output line 10:"), e.getMessage());
        MonitorFormatException badEscape = assertThrows(MonitorFormatException.class,
                () -> MonitorParser.parse(SEED + "pool 10.0.0.3:6432 app al%2 3 2 5 0\n"));
        assertTrue(badEscape.getMessage().contains("two hex digits"), badEscape.getMessage());
    }

    @Test
    void aPoolOnABackendNoLongerListedIsKept() throws Exception {
        // After a reload drops a backend its pools drain for a while: they still show.
        MonitorReport r = MonitorParser.parse(SEED + "pool 10.9.9.9:5432 app alice 1 0 0 0\n");
        assertEquals("10.9.9.9:5432", r.pools().get(0).backend());
    }

    @Test
    void decodesWhatTheTextMonitorWrites() throws Exception {
        List<PoolStats> pools = List.of(
                new PoolStats(Endpoint.parse("127.0.0.1:5433"), "app", "bob", 0, 1, 0, Duration.ZERO),
                new PoolStats(Endpoint.parse("127.0.0.1:5432"), "my db", "100% \u20ac\ud83d\ude00\tx", 2, 1, 3,
                        Duration.ofMillis(1500)));
        Monitor monitor = new TextMonitorFactory().create(PluginConfig.empty("text"), context(pools));
        monitor.start();
        try {
            MonitorReport r = MonitorParser.parse(MonitorClient.fetch(HostPort.parse(address.toString()),
                    Duration.ofSeconds(5)));
            assertEquals(List.of(
                    new MonitorReport.Pool("127.0.0.1:5432", "my db", "100% \u20ac\ud83d\ude00\tx", 2, 1, 3, 1500),
                    new MonitorReport.Pool("127.0.0.1:5433", "app", "bob", 0, 1, 0, 0)), r.pools(),
                    "every name back as it was, in the monitor's order");
        } finally {
            monitor.close();
        }
    }

    private Endpoint address;

    private MonitorContext context(List<PoolStats> pools) throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            address = new Endpoint("127.0.0.1", s.getLocalPort());
        }
        BackendState primary = new BackendState(Endpoint.parse("127.0.0.1:5432"), TlsMode.OFF, 100, 1000, Role.PRIMARY,
                Status.OK, 0, Optional.empty(), Instant.EPOCH, Optional.empty());
        ClusterSnapshot snapshot = new ClusterSnapshot(List.of(primary), Optional.of(primary), false, 1, Instant.EPOCH);
        RouterStats stats = new RouterStats() {
            @Override
            public int workers() {
                return 1;
            }

            @Override
            public long clients() {
                return 3;
            }

            @Override
            public long connections() {
                return 4;
            }
        };
        Optional<Endpoint> monitorAddress = Optional.of(address);
        return new MonitorContext() {
            @Override
            public ClusterView cluster() {
                return () -> snapshot;
            }

            @Override
            public RouterStats stats() {
                return stats;
            }

            @Override
            public List<PoolStats> pools() {
                return pools;
            }

            @Override
            public Optional<Endpoint> monitorAddress() {
                return monitorAddress;
            }
        };
    }
}
