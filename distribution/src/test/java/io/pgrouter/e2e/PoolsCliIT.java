package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bin/pgrouter-cli pools} against the assembled pgrouter: a pooled transaction pipeline,
 * a database and a user whose names need the monitor's percent-encoding (a space, a {@code %},
 * a non-ASCII letter), one session holding a connection in a transaction and one whose
 * connection went back idle. The cli must show that pool with the names as they were created.
 */
class PoolsCliIT {
    private static final String DATABASE = "pool db é";
    private static final String USER = "pool user%";

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "transaction", "").pooled();

    @Test
    void showsThePoolOfTheSessionsWithTheirDatabaseAndUser() throws Exception {
        fixture.cluster().primary().execute("CREATE ROLE \"" + USER + "\" LOGIN");
        fixture.cluster().primary().execute("CREATE DATABASE \"" + DATABASE + "\" OWNER \"" + USER + "\"");
        try (Connection inTransaction = connect(); Connection finished = connect()) {
            inTransaction.setAutoCommit(false);
            try (Statement s = inTransaction.createStatement()) {
                s.execute("SELECT 1"); // holds its connection until the transaction ends
            }
            try (Statement s = finished.createStatement()) {
                // A transaction of its own, on a second connection since the first is lent out;
                // that one goes back idle. (Run first, its connection would be reused instead.)
                s.execute("SELECT 1");
            }
            String backend = Configs.address(fixture.cluster().primary());
            String raw = fixture.router().awaitMonitor(Duration.ofSeconds(10), out -> out.contains(
                    "\npool " + backend + " pool%20db%20%C3%A9 pool%20user%25 1 1 0 0\n"));
            assertTrue(raw.startsWith("backends 1/1\n"), raw);

            Cli json = cli("pools", "-m", "127.0.0.1:" + fixture.router().monitorPort, "--format", "json");
            assertEquals(0, json.exitCode(), json.out());
            assertTrue(json.out().contains("{\"backend\": \"" + backend + "\", \"database\": \"" + DATABASE
                    + "\", \"user\": \"" + USER + "\", \"active\": 1, \"idle\": 1, \"waiting\": 0,"
                    + " \"longestWaitMillis\": 0}"), json.out());

            Cli table = cli("pools", "-m", "127.0.0.1:" + fixture.router().monitorPort);
            assertEquals(0, table.exitCode(), table.out());
            assertTrue(table.out().lines().anyMatch(l -> l.matches(
                    java.util.regex.Pattern.quote(backend) + " +pool db é +pool user% +1 +1 +0 +-")), table.out());
            inTransaction.rollback();
        }
    }

    private static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        String url = fixture.router().jdbcUrl(java.net.URLEncoder.encode(DATABASE, StandardCharsets.UTF_8)
                .replace("+", "%20"));
        return DriverManager.getConnection(url, props);
    }

    /** Exit code and standard output of one run of the shipped launcher. */
    private record Cli(int exitCode, String out) {
    }

    private static Cli cli(String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(PgrouterProcess.bin("pgrouter-cli").toString());
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // The cli prints in the locale's charset (Java 17); the names here need UTF-8 to survive.
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the cli exits
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pgrouter-cli did not exit: " + new String(out, StandardCharsets.UTF_8));
        }
        return new Cli(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
