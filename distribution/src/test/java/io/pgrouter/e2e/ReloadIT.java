package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP re-reads the configuration: a new backend is watched, a broken file changes nothing. */
class ReloadIT {
    @TempDir
    Path dir;

    @Test
    void sighupAddsABackendAndABrokenFileIsRejected() throws Exception {
        try (PgCluster cluster = PgCluster.start(1)) {
            PgNode primary = cluster.primary();
            PgNode replica = cluster.replicas().get(0);
            String onlyPrimary = """
                    listen 127.0.0.1:${port}
                    monitor 127.0.0.1:${monitor}
                    health { timeout 2s; check 250ms; username postgres }
                    backend %s
                    """.formatted(Configs.address(primary));
            try (PgrouterProcess router = PgrouterProcess.start(dir, onlyPrimary)) {
                router.awaitMonitor(Duration.ofSeconds(10), m -> m.contains("backends 1/1"));
                Path config = dir.resolve("pgrouter.conf");

                Files.writeString(config, Files.readString(config) + "backend " + Configs.address(replica) + "\n");
                router.signal("HUP");
                String both = router.awaitMonitor(Duration.ofSeconds(10),
                        m -> m.contains("backends 2/2") && m.contains(Configs.address(replica) + " slave OK"));
                assertTrue(both.contains(Configs.address(primary) + " master OK 0"), both);

                Files.writeString(config, Files.readString(config) + "lsiten nowhere\n");
                router.signal("HUP");
                awaitLog(router, "reload rejected");
                assertTrue(router.log().contains("pgrouter.conf:6:1: unknown directive 'lsiten'"), router.log());
                assertTrue(router.monitor().contains("backends 2/2"), "the running configuration stays");
                assertTrue(router.isAlive());
            }
        }
    }

    private static void awaitLog(PgrouterProcess router, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (router.log().contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' in the log:\n" + router.log());
    }
}
