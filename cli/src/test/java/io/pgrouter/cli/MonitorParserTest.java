package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MonitorParserTest {
    /** Seed 000's example, verbatim. */
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
}
