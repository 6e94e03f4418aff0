package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A primary that dies mid-statement gives the client an error, never a hang. */
class PrimaryLossIT {
    @TempDir
    Path dir;

    @Test
    void killingThePrimaryMidQueryFailsTheClientPromptly() throws Exception {
        try (PgCluster cluster = PgCluster.start(0);
                PgrouterProcess router = PgrouterProcess.start(dir, Configs.forCluster(cluster, "session", ""))) {
            Connection c = DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try (Statement s = c.createStatement()) {
                    s.execute("select pg_sleep(60)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitActiveSleep(cluster);
            cluster.primary().kill();

            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> sleeping.get(15, TimeUnit.SECONDS), "the client must fail, not hang");
            assertTrue(failure.getCause().getCause() instanceof SQLException, String.valueOf(failure.getCause()));
            assertTrue(c.isClosed() || !c.isValid(2));
            c.close();
            assertTrue(router.isAlive(), "pgrouter survives a dead primary:\n" + router.log());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }

    /** Waits, with a deadline, until the primary shows the client's pg_sleep as active. */
    private static void awaitActiveSleep(PgCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (Connection direct = cluster.primary().connect(); Statement s = direct.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (var rs = s.executeQuery("select count(*) from pg_stat_activity where query = 'select pg_sleep(60)' and state = 'active'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the statement never became active on the primary");
    }
}
