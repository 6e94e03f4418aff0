package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no usable primary a client gets a clear error, never a hang or a silent close. */
class NoBackendIT {
    @TempDir
    Path dir;

    @Test
    void aClientOfARouterWithoutAPrimaryGetsCannotConnectNow() throws Exception {
        int nobody = PgrouterProcess.freePort(); // nothing listens there
        String config = """
                listen 127.0.0.1:${port}
                monitor 127.0.0.1:${monitor}
                health { timeout 1s; check 250ms; username postgres }
                backend 127.0.0.1:%d
                """.formatted(nobody);
        try (PgrouterProcess router = PgrouterProcess.start(dir, config)) {
            router.awaitMonitor(Duration.ofSeconds(10), m -> m.contains("127.0.0.1:" + nobody + " slave FAILED"));
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(router.jdbcUrl("postgres"), "postgres", "").close());
            assertEquals("57P03", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("no primary backend is available"), e.getMessage());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }
}
