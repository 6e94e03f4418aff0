package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real clients (psql, pgbench, pgjdbc) through pgrouter's session pipeline to a real primary. */
class SessionPipelineIT {
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "session", "");

    @BeforeAll
    static void start() throws Exception {
        ProcessResult init = pgbench("-i", "-s", "1", "-q");
        assertEquals(0, init.exitCode(), init.stderr());
    }

    @Test
    void psqlSelectOne() {
        ProcessResult r = PgTools.run(CLIENT_TIMEOUT, Map.of(), PgTools.bin("psql").toString(),
                "-X", "-A", "-t", "-h", "127.0.0.1", "-p", String.valueOf(fixture.router().port), "-U", fixture.cluster().superuser(),
                "-d", "postgres", "-c", "select 1");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("1", r.stdout().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void pgbenchRunsWithoutErrors(String mode) {
        int transactions = 200;
        ProcessResult r = pgbench("-M", mode, "-c", "4", "-j", "2", "-t", String.valueOf(transactions));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)/(\\d+)").matcher(r.stdout());
        assertTrue(processed.find(), r.stdout());
        assertEquals(String.valueOf(4 * transactions), processed.group(1), r.stdout());
        assertEquals(processed.group(2), processed.group(1), r.stdout());
    }

    @Test
    void pgjdbcWritesAndReadsThroughTheRouter() throws Exception {
        try (Connection c = DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), fixture.cluster().superuser(), "");
                Statement s = c.createStatement()) {
            s.execute("create table if not exists jdbc_rw (id int primary key, v text)");
            s.execute("insert into jdbc_rw values (1, 'through pgrouter') on conflict (id) do update set v = excluded.v");
            try (ResultSet rs = s.executeQuery("select v, inet_server_port() from jdbc_rw where id = 1")) {
                assertTrue(rs.next());
                assertEquals("through pgrouter", rs.getString(1));
                assertEquals(fixture.cluster().primary().port(), rs.getInt(2), "the session pipeline talks to the primary");
            }
        }
        // What was committed through pgrouter is on the primary itself.
        try (Connection direct = fixture.cluster().primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select v from jdbc_rw where id = 1")) {
            assertTrue(rs.next());
            assertEquals("through pgrouter", rs.getString(1));
        }
    }

    @Test
    void pgjdbcExtendedProtocolWithServerPreparedStatements() throws Exception {
        String url = fixture.router().jdbcUrl("postgres") + "&prepareThreshold=1";
        try (Connection c = DriverManager.getConnection(url, fixture.cluster().superuser(), "");
                var ps = c.prepareStatement("select ?::int * 2")) {
            for (int i = 0; i < 20; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i * 2, rs.getInt(1));
                }
            }
        }
    }

    private static ProcessResult pgbench(String... args) {
        String[] command = new String[args.length + 8];
        command[0] = PgTools.bin("pgbench").toString();
        System.arraycopy(new String[] {"-h", "127.0.0.1", "-p", String.valueOf(fixture.router().port), "-U", fixture.cluster().superuser()},
                0, command, 1, 6);
        System.arraycopy(args, 0, command, 7, args.length);
        command[command.length - 1] = "postgres";
        return PgTools.run(CLIENT_TIMEOUT, Map.of(), command);
    }
}
