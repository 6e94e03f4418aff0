package io.pgrouter.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminRequestTest {
    @Test
    void readsEveryCommandWithItsOptions() throws Exception {
        assertEquals(new AdminRequest.Reload(), AdminRequest.parse("reload"));
        assertEquals(new AdminRequest.Pause(Duration.ofMillis(1500)), AdminRequest.parse("pause timeout=1500ms"));
        assertEquals(new AdminRequest.Pause(AdminRequest.DEFAULT_PAUSE), AdminRequest.parse("pause"));
        assertEquals(new AdminRequest.Resume(), AdminRequest.parse("  resume \r"));
        assertEquals(new AdminRequest.Drain(Optional.empty()), AdminRequest.parse("drain"));
        assertEquals(new AdminRequest.Drain(Optional.of(Duration.ofMinutes(10))), AdminRequest.parse("drain timeout=10m"));
        assertEquals(new AdminRequest.Shutdown(false, AdminRequest.DEFAULT_SHUTDOWN), AdminRequest.parse("shutdown"));
        assertEquals(new AdminRequest.Shutdown(true, Duration.ofSeconds(5)), AdminRequest.parse("shutdown fast timeout=5s"));
    }

    @Test
    void badLinesSayWhatWasExpected() {
        assertEquals("unknown command 'restart' (expected reload, pause, resume, drain or shutdown)",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("restart")).getMessage());
        assertEquals("empty command (expected reload, pause, resume, drain or shutdown)",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("   ")).getMessage());
        assertEquals("reload: unknown option 'fast' (it takes none)",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("reload fast")).getMessage());
        assertEquals("pause: unknown option 'wait' (expected timeout)",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("pause wait=3s")).getMessage());
        assertEquals("pause: 'timeout' is given twice",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("pause timeout=1s timeout=2s"))
                        .getMessage());
        assertEquals("shutdown: 'fast' takes no value",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("shutdown fast=yes")).getMessage());
        assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("pause timeout=soon"));
        assertEquals("timeout=0s: must be between 1ms and 24h",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("drain timeout=0s")).getMessage());
        assertEquals("timeout=25h: must be between 1ms and 24h",
                assertThrows(AdminRequest.Invalid.class, () -> AdminRequest.parse("drain timeout=25h")).getMessage());
    }

    @Test
    void repliesAreDetailLinesThenOneFinalLine() {
        assertEquals("ok configuration reloaded\n", new String(AdminReply.ok("configuration reloaded").encode()));
        assertEquals("- a.conf:3:1: unknown directive 'x'\n- second line\nerror configuration rejected\n",
                new String(AdminReply.error("configuration rejected",
                        java.util.List.of("a.conf:3:1: unknown directive 'x'", "second\nline")).encode()));
        assertEquals("error pause ended\n", new String(AdminReply.error("pause\r\nended").encode()));
    }
}
