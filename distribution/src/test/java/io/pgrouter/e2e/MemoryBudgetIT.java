package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.ProcessResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * max_buffered: pgrouter started with a small heap (PGROUTER_HEAP, so a default budget of half
 * of it) refuses queries larger than its budget with 53200 while other sessions carry on. In the
 * suite 80 MB queries under a 128 MB heap; with -Dpgrouter.fullsize=true the 200 MB
 * queries under -Xmx256m.
 */
class MemoryBudgetIT {
    private static final int HEAP_MB = FullSize.pick(128, 256);
    private static final int QUERY_MB = FullSize.pick(80, 200);
    private static final long BUDGET = (HEAP_MB << 20) / 2L;

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "readsplit", "")
            .environment(Map.of("PGROUTER_HEAP", HEAP_MB + "m"));

    /** pgbench's load: a read and a write a transaction, on a table of its own (no pgbench -i to wait for). */
    private static java.nio.file.Path script;

    @BeforeAll
    static void table() throws Exception {
        try (Connection c = fixture.connect(); Statement s = c.createStatement()) {
            s.execute("create table budget_load(id int primary key, n bigint)");
            s.execute("insert into budget_load select g, 0 from generate_series(1, 100) g");
        }
        script = java.nio.file.Files.createTempFile("pgrouter-budget", ".sql");
        java.nio.file.Files.writeString(script, "\\set id random(1, 100)\n"
                + "UPDATE budget_load SET n = n + 1 WHERE id = :id;\n"
                + "SELECT n FROM budget_load WHERE id = :id;\n");
    }

    @org.junit.jupiter.api.AfterAll
    static void removeScript() throws Exception {
        java.nio.file.Files.deleteIfExists(script);
    }

    @Test
    void fourClientsSendingQueriesLargerThanTheBudgetGet53200WhilePgbenchCarriesOn() throws Exception {
        fixture.router().awaitMonitor(Duration.ofSeconds(5), m -> m.contains("buffered 0 " + BUDGET + "\n"));
        CompletableFuture<ProcessResult> pgbench = CompletableFuture.supplyAsync(
                () -> fixture.pgbench("-n", "-f", script.toString(), "-c", "4", "-j", "2", "-T", "5"));
        fixture.router().awaitMonitor(Duration.ofSeconds(10), m -> clients(m) >= 4);

        String literal = "x".repeat(QUERY_MB << 20);
        List<CompletableFuture<SQLException>> large = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            large.add(CompletableFuture.supplyAsync(() -> {
                try (Connection c = fixture.connect(); Statement s = c.createStatement()) {
                    s.execute("select length('" + literal + "')");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            }));
        }
        for (CompletableFuture<SQLException> f : large) {
            SQLException e = f.get();
            assertTrue(e != null, "a query larger than max_buffered must be refused");
            assertEquals("53200", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("would exceed max_buffered (" + BUDGET + " bytes"), e.getMessage());
        }

        ProcessResult run = pgbench.get();
        System.out.printf("max_buffered %d: 4 queries of %d MB refused with 53200; pgbench meanwhile: %s%n", BUDGET,
                QUERY_MB, run.stdout().lines().filter(l -> l.startsWith("number of")).toList());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.stdout().contains("number of failed transactions: 0"), run.output());
        assertFalse(fixture.router().log().contains("OutOfMemoryError"), fixture.router().log());
        fixture.router().awaitMonitor(Duration.ofSeconds(5), m -> m.contains("buffered 0 " + BUDGET + "\n"));
    }

    @Test
    void aLargeValueWithinTheBudgetPassesAndItsBytesAreGivenBack() throws Exception {
        int size = 8 << 20;
        try (Connection c = fixture.connect(); PreparedStatement ps = c.prepareStatement("select length(?)")) {
            ps.setString(1, "y".repeat(size));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(size, rs.getInt(1));
            }
        }
        fixture.router().awaitMonitor(Duration.ofSeconds(5), m -> m.contains("buffered 0 " + BUDGET + "\n"));
    }

    private static long clients(String monitor) {
        return monitor.lines().filter(l -> l.startsWith("clients ")).mapToLong(l -> Long.parseLong(l.substring(8)))
                .findFirst().orElse(0);
    }
}
