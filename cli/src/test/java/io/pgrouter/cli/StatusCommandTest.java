package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatusCommandTest {
    static final String HEALTHY = "backends 3/3\nworkers 2\nclients 1\nconnections 1\n"
            + "127.0.0.1:5432 master OK 0\n127.0.0.1:5433 slave OK 0\n127.0.0.1:5434 slave OK 16\n"
            + "generation 9\nprimary 127.0.0.1:5432\nsplit-brain no\nreplay-delay 127.0.0.1:5433 0\n";

    /** Exit code and output of one in-process run. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void allOkIsExitZeroWithATable() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY)) {
            Run r = run("status", "-m", m.address());
            assertEquals(0, r.exitCode(), r.out());
            assertTrue(r.out().startsWith("PGROUTER OK - 3/3 backends OK, primary 127.0.0.1:5432\n"), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches("127\\.0\\.0\\.1:5434 +slave +OK +16 +- +-")), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches("127\\.0\\.0\\.1:5432 +master +OK +0 +- +- +primary \\(writes\\)")), r.out());
        }
    }

    @Test
    void aDrainIsShownInTextAndJson() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY + "draining 2024-05-01T12:00:00Z 3\n")) {
            Run r = run("status", "-m", m.address());
            assertEquals(0, r.exitCode(), r.out());
            assertTrue(r.out().contains("\nDRAINING since 2024-05-01T12:00:00Z: no new clients; 3 sessions open"), r.out());
            Run json = run("status", "-m", m.address(), "--format", "json");
            assertTrue(json.out().contains("\"draining\": true,\n  \"drainingSince\": \"2024-05-01T12:00:00Z\",\n"
                    + "  \"openSessions\": 3,"), json.out());
        }
    }

    @Test
    void failedOrLaggingBackendIsExitOne() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY.replace("backends 3/3", "backends 2/3")
                .replace("127.0.0.1:5433 slave OK 0", "127.0.0.1:5433 slave FAILED") + "error 127.0.0.1:5433 refused\n")) {
            Run r = run("status", "-m", m.address());
            assertEquals(1, r.exitCode(), r.out());
            assertTrue(r.out().startsWith("PGROUTER WARNING - "), r.out());
            assertTrue(r.out().contains("127.0.0.1:5433 FAILED"), r.out());

            m.answer(HEALTHY + "lagging 127.0.0.1:5434 16 10\n");
            Run lagging = run("status", "-m", m.address());
            assertEquals(1, lagging.exitCode(), lagging.out());
            assertTrue(lagging.out().contains("lagging 16 bytes"), lagging.out());
        }
    }

    @Test
    void aReplicaThatDoesNotFollowThePrimaryOrIsDelayedIsExitOneAndSaysWhy() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY + "not-following 127.0.0.1:5434 orphaned\n")) {
            Run r = run("status", "-m", m.address());
            assertEquals(1, r.exitCode(), r.out());
            assertTrue(r.out().startsWith("PGROUTER WARNING - "), r.out());
            assertTrue(r.out().lines().findFirst().orElseThrow()
                    .contains("127.0.0.1:5434 not following the primary (orphaned)"), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches(
                    "127\\.0\\.0\\.1:5434 +slave +OK +16 +- +- +not following the primary \\(orphaned\\): no reads")), r.out());

            m.answer(HEALTHY + "delayed 127.0.0.1:5433 45000 30000\n");
            Run delayed = run("status", "-m", m.address());
            assertEquals(1, delayed.exitCode(), delayed.out());
            assertTrue(delayed.out().contains("127.0.0.1:5433 delayed 45000ms"), delayed.out());
            assertTrue(delayed.out().contains("delayed past max_replay_delay 30000ms: no reads"), delayed.out());

            Run json = run("status", "-m", m.address(), "--format", "json");
            assertTrue(json.out().contains("\"replayDelayMillis\": 45000, \"error\": null, \"notFollowing\": null,"
                    + " \"delayed\": true, \"maxReplayDelayMillis\": 30000, \"replayed\": null}"), json.out());
        }
    }

    @Test
    void noPrimaryOrSplitBrainIsExitTwo() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY.replace("primary 127.0.0.1:5432", "primary none"))) {
            assertEquals(2, run("status", "-m", m.address()).exitCode());
            m.answer(HEALTHY.replace("127.0.0.1:5433 slave OK 0", "127.0.0.1:5433 master OK 0")
                    .replace("split-brain no", "split-brain yes 127.0.0.1:5432 127.0.0.1:5433"));
            Run r = run("status", "-m", m.address());
            assertEquals(2, r.exitCode());
            assertTrue(r.out().startsWith("PGROUTER CRITICAL - split brain: 127.0.0.1:5432, 127.0.0.1:5433 claim primary;"
                    + " writes stay on 127.0.0.1:5432"), r.out());
        }
    }

    @Test
    void anHaManagersTopologyLostIsExitTwoStaleOrDisagreeingIsExitOne() throws Exception {
        String topology = "topology patroni current 120 10000\n"
                + "member 127.0.0.1:5434 n3 replica running noloadbalance\n"
                + "no-reads 127.0.0.1:5434 noloadbalance\n";
        try (FakeMonitor m = new FakeMonitor(HEALTHY + topology)) {
            Run ok = run("status", "-m", m.address());
            assertEquals(0, ok.exitCode(), ok.out());
            assertTrue(ok.out().contains("patroni topology current"), ok.out());
            assertTrue(ok.out().lines().anyMatch(l -> l.startsWith("127.0.0.1:5434") && l.endsWith("HA manager: no reads (noloadbalance)")),
                    ok.out());

            m.answer(HEALTHY + topology.replace("current 120", "stale 4000")
                    + "topology-error etcd unreachable: connection refused\n"
                    + "disagree 127.0.0.1:5433 the health check saw a primary, patroni says replica\n");
            Run stale = run("status", "-m", m.address());
            assertEquals(1, stale.exitCode(), stale.out());
            assertTrue(stale.out().startsWith("PGROUTER WARNING - "), stale.out());
            assertTrue(stale.out().lines().findFirst().orElseThrow().contains(
                    "patroni topology unreachable (etcd unreachable: connection refused), last one kept"), stale.out());
            assertTrue(stale.out().lines().findFirst().orElseThrow().contains(
                    "127.0.0.1:5433: the health check saw a primary, patroni says replica"), stale.out());

            m.answer(HEALTHY.replace("primary 127.0.0.1:5432", "primary none") + topology.replace("current 120", "lost 11000")
                    + "topology-error etcd unreachable: connection refused\n");
            Run lost = run("status", "-m", m.address());
            assertEquals(2, lost.exitCode(), lost.out());
            assertTrue(lost.out().startsWith("PGROUTER CRITICAL - patroni topology lost (etcd unreachable: connection refused):"
                    + " writes refused"), lost.out());
            Run json = run("status", "-m", m.address(), "--format", "json");
            assertTrue(json.out().contains("\"topology\": {\"source\": \"patroni\", \"freshness\": \"lost\","
                    + " \"error\": \"etcd unreachable: connection refused\"}"), json.out());
            assertTrue(json.out().contains("\"haNotes\": {\"127.0.0.1:5434\": [\"HA manager: no reads (noloadbalance)\"]}"),
                    json.out());
        }
    }

    @Test
    void unreachableMonitorIsExitTwo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = run("status", "-m", "127.0.0.1:" + port, "--timeout", "1s");
        assertEquals(2, r.exitCode());
        assertTrue(r.out().startsWith("PGROUTER CRITICAL - cannot read the monitor at 127.0.0.1:" + port), r.out());
        Run json = run("status", "-m", "127.0.0.1:" + port, "--format", "json");
        assertEquals(2, json.exitCode());
        assertTrue(json.out().contains("\"status\": \"CRITICAL\""), json.out());
        assertTrue(json.out().contains("\"error\": "), json.out());
    }

    @Test
    void jsonDocumentCarriesEveryBackend() throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY + "lagging 127.0.0.1:5434 16 10\n")) {
            Run r = run("status", "-m", m.address(), "--format", "json");
            assertEquals(1, r.exitCode());
            assertTrue(r.out().contains("\"primary\": \"127.0.0.1:5432\""), r.out());
            assertTrue(r.out().contains("{\"address\": \"127.0.0.1:5434\", \"role\": \"slave\", \"status\": \"OK\","
                    + " \"lagBytes\": 16, \"lagging\": true, \"lagThreshold\": 10, \"replayDelayMillis\": null,"
                    + " \"error\": null, \"notFollowing\": null, \"delayed\": false, \"maxReplayDelayMillis\": null, \"replayed\": null}"),
                    r.out());
            assertTrue(r.out().contains("\"generation\": 9"), r.out());
            assertEquals(r.out().chars().filter(c -> c == '{').count(), r.out().chars().filter(c -> c == '}').count());
        }
    }

    @Test
    void configFileGivesTheMonitorAddress(@TempDir Path dir) throws Exception {
        try (FakeMonitor m = new FakeMonitor(HEALTHY)) {
            Path conf = Files.writeString(dir.resolve("pgrouter.conf"), "listen *:5432\nmonitor " + m.address() + "\n");
            assertEquals(0, run("status", "-c", conf.toString()).exitCode());
        }
    }

    @Test
    void monitorAndConfigAreExclusiveAndHelpAndVersionWork() {
        assertEquals(2, run("status", "-m", "a:1", "-c", "x.conf").exitCode(), "usage error");
        Run help = run("status", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--format"), help.out());
        assertTrue(run("--help").out().contains("status"));
        Run version = run("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("pgrouter-cli "), version.out());
    }
}
