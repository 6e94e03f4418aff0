package io.pgrouter.cli;

import static io.pgrouter.cli.StatusCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolsCommandTest {
    static final String WITH_POOLS = StatusCommandTest.HEALTHY
            + "pool 127.0.0.1:5432 app alice 3 2 0 0\n"
            + "pool 127.0.0.1:5432 my%20db 100%25%0Abob 20 0 7 1250\n"
            + "pool 127.0.0.1:5433 app alice 0 1 0 0\n";

    @Test
    void tableListsEveryPoolWithDecodedNames() throws Exception {
        try (FakeMonitor m = new FakeMonitor(WITH_POOLS)) {
            StatusCommandTest.Run r = run("pools", "-m", m.address());
            assertEquals(0, r.exitCode(), "clients waiting are shown, not judged: " + r.out());
            assertTrue(r.out().startsWith("monitor " + m.address() + ": 3 pools, 7 clients waiting\n\n"), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches(
                    "BACKEND +DATABASE +USER +ACTIVE +IDLE +WAITING +LONGEST WAIT")), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches("127\\.0\\.0\\.1:5432 +app +alice +3 +2 +0 +-")), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches(
                    "127\\.0\\.0\\.1:5432 +my db +100%%0Abob +20 +0 +7 +1\\.250s")),
                    "a newline in a name must not break the table: " + r.out());
            assertEquals(6, r.out().lines().count(), r.out());
        }
    }

    @Test
    void jsonCarriesTheExactNames() throws Exception {
        try (FakeMonitor m = new FakeMonitor(WITH_POOLS)) {
            StatusCommandTest.Run r = run("pools", "-m", m.address(), "--format", "json");
            assertEquals(0, r.exitCode(), r.out());
            assertTrue(r.out().contains("\"monitor\": \"" + m.address() + "\""), r.out());
            assertTrue(r.out().contains("{\"backend\": \"127.0.0.1:5432\", \"database\": \"my db\", \"user\": \"100%\\nbob\","
                    + " \"active\": 20, \"idle\": 0, \"waiting\": 7, \"longestWaitMillis\": 1250}"), r.out());
            assertEquals(3, r.out().lines().filter(l -> l.startsWith("    {\"backend\": ")).count(), r.out());
            assertEquals(r.out().chars().filter(c -> c == '{').count(), r.out().chars().filter(c -> c == '}').count());
        }
    }

    @Test
    void noPoolLinesSaysSoAndIsStillExitZero() throws Exception {
        try (FakeMonitor m = new FakeMonitor(StatusCommandTest.HEALTHY)) {
            StatusCommandTest.Run r = run("pools", "-m", m.address());
            assertEquals(0, r.exitCode(), r.out());
            assertEquals("monitor " + m.address() + ": no server connection pools (or a pgrouter too old to report them)\n",
                    r.out());
            StatusCommandTest.Run json = run("pools", "-m", m.address(), "--format", "json");
            assertTrue(json.out().endsWith("  \"pools\": []\n}\n"), json.out());
        }
    }

    @Test
    void anUnreadableMonitorFailsAsStatusDoes() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StatusCommandTest.Run r = run("pools", "-m", "127.0.0.1:" + port, "--timeout", "1s");
        assertEquals(2, r.exitCode());
        assertTrue(r.out().startsWith("PGROUTER CRITICAL - cannot read the monitor at 127.0.0.1:" + port), r.out());
        StatusCommandTest.Run json = run("pools", "-m", "127.0.0.1:" + port, "--format", "json");
        assertEquals(2, json.exitCode());
        assertTrue(json.out().contains("\"status\": \"CRITICAL\""), json.out());
        try (FakeMonitor garbage = new FakeMonitor("HTTP/1.1 400 Bad Request\n\n\n\n")) {
            assertEquals(2, run("pools", "-m", garbage.address()).exitCode(), "not the monitor format");
        }
    }

    @Test
    void sharesStatusOptionsForFindingTheMonitor(@TempDir Path dir) throws Exception {
        try (FakeMonitor m = new FakeMonitor(WITH_POOLS)) {
            Path conf = Files.writeString(dir.resolve("pgrouter.conf"), "listen *:5432\nmonitor " + m.address() + "\n");
            StatusCommandTest.Run r = run("pools", "-c", conf.toString());
            assertEquals(0, r.exitCode(), r.out());
            assertTrue(r.out().startsWith("monitor " + m.address() + ": 3 pools"), r.out());
        }
        assertEquals(2, run("pools", "-m", "a:1", "-c", "x.conf").exitCode(), "usage error: one source only");
        StatusCommandTest.Run help = run("pools", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--monitor") && help.out().contains("--timeout") && help.out().contains("--format"),
                help.out());
        assertTrue(run("--help").out().contains("pools"));
    }
}
