package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The scenarios every pipeline must pass exactly as a direct connection to the primary does: one
 * list, run through each pipeline by a subclass that only says which pipeline ({@link #fixture}).
 * Each scenario goes on with more statements in the same session after the interesting part, so a
 * pipeline that loses track of a connection (a hang, an answer to the wrong statement) fails here.
 *
 * <p>pgjdbc connections carry a socket timeout: a hang fails the test instead of stopping the build.
 */
abstract class PipelineScenarios {
    private static final String SIMPLE = "socketTimeout=120&preferQueryMode=simple";
    private static final String EXTENDED = "socketTimeout=120";

    /** The cluster and pgrouter (with the pipeline under test) the scenarios run against. */
    abstract RouterFixture fixture();

    @ParameterizedTest(name = "{0} MB")
    @ValueSource(ints = {1, 16, 100})
    void aLargeResultThenMoreStatements(int megabytes) throws Exception {
        for (String params : new String[] {SIMPLE, EXTENDED}) {
            Transcript.same(fixture(), params, (c, name, t) -> {
                try (Statement s = c.createStatement()) {
                    for (int round = 0; round < 2; round++) {
                        try (ResultSet rs = s.executeQuery("select repeat('x', " + megabytes + " * 1024 * 1024) v, 'tail'")) {
                            rs.next();
                            t.add("large -> " + digest(rs.getString(1).getBytes(StandardCharsets.UTF_8)) + " " + rs.getString(2));
                        }
                        t.sql(s, name, "select 'after', " + round);
                    }
                }
            });
        }
    }

    @ParameterizedTest(name = "{0} MB")
    @ValueSource(ints = {1, 16, 100})
    void aLargeParameterThenMoreStatements(int megabytes) throws Exception {
        aLargeParameterThenMoreStatements(megabytes, EXTENDED);
    }

    /** The simple protocol: pgjdbc writes the value into the statement's text, twice its size in hex. */
    @ParameterizedTest(name = "{0} MB")
    @MethodSource("simpleParameterSizes")
    void aLargeParameterInlineThenMoreStatements(int megabytes) throws Exception {
        aLargeParameterThenMoreStatements(megabytes, SIMPLE);
    }

    static IntStream simpleParameterSizes() {
        return FullSize.megabytes(new int[] {1, 16}, 100);
    }

    private void aLargeParameterThenMoreStatements(int megabytes, String params) throws Exception {
        byte[] value = new byte[megabytes * 1024 * 1024];
        new Random(megabytes).nextBytes(value);
        String expected = digest(value);
        Transcript.same(fixture(), params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table %s(id int, v bytea)");
                try (PreparedStatement insert = c.prepareStatement("insert into " + name + " values (1, ?)")) {
                    insert.setBytes(1, value);
                    t.execute(insert, "insert");
                }
                try (ResultSet rs = s.executeQuery("select v from " + name + " where id = 1")) {
                    rs.next();
                    String read = digest(rs.getBytes(1));
                    t.add("read back -> " + (read.equals(expected) ? "the value sent" : "another value " + read));
                }
                t.sql(s, name, "select length(v) from %s");
                t.sql(s, name, "drop table %s");
            }
        });
    }

    static IntStream psqlSizes() {
        return FullSize.megabytes(new int[] {1, 16}, 100);
    }

    @ParameterizedTest(name = "{0} MB")
    @MethodSource("psqlSizes")
    void psqlReadsALargeResultAndTheNextStatement(int megabytes) {
        ProcessResult r = PgTools.run(Duration.ofSeconds(120), Map.of(), PgTools.bin("psql").toString(),
                "-X", "-At", "-h", "127.0.0.1", "-p", String.valueOf(fixture().router().port), "-U",
                fixture().cluster().superuser(), "-d", "postgres",
                "-c", "select length(repeat('x', " + megabytes + " * 1024 * 1024)), repeat('x', " + megabytes + " * 1024 * 1024)",
                "-c", "select 'after'");
        assertEquals(0, r.exitCode(), () -> r.stderr() + fixture().router().log());
        String out = r.stdout();
        assertTrue(out.startsWith(megabytes * 1024 * 1024 + "|xxx"), () -> out.substring(0, Math.min(200, out.length())));
        assertTrue(out.endsWith("x\nafter\n"), () -> out.substring(Math.max(0, out.length() - 200)));
    }

    /** A statement of that size (a literal in its text), from a file, then another in the same session. */
    @ParameterizedTest(name = "{0} MB")
    @MethodSource("psqlSizes")
    void psqlSendsALargeValueAndTheNextStatement(int megabytes, @TempDir Path dir) throws Exception {
        Path script = dir.resolve("large.sql");
        try (var out = Files.newBufferedWriter(script, StandardCharsets.US_ASCII)) {
            out.write("select length('");
            char[] chunk = new char[1024 * 1024];
            java.util.Arrays.fill(chunk, 'y');
            for (int i = 0; i < megabytes; i++) {
                out.write(chunk);
            }
            out.write("');\nselect 'after';\n");
        }
        ProcessResult r = PgTools.run(Duration.ofSeconds(120), Map.of(), PgTools.bin("psql").toString(),
                "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String.valueOf(fixture().router().port),
                "-U", fixture().cluster().superuser(), "-d", "postgres", "-f", script.toString());
        assertEquals(0, r.exitCode(), () -> r.stderr() + fixture().router().log());
        assertEquals(megabytes * 1024 * 1024 + "\nafter\n", r.stdout());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void errorsMidSessionLeaveItUsable(String params) throws Exception {
        Transcript.same(fixture(), params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table %s(id int primary key)");
                t.sql(s, name, "insert into %s values (1)");
                t.sql(s, name, "insert into %s values (1)");
                t.sql(s, name, "select 1/0");
                t.sql(s, name, "select no_such_column from %s");
                c.setAutoCommit(false);
                t.sql(s, name, "insert into %s values (2)");
                t.sql(s, name, "select 1/0");
                t.sql(s, name, "select 1");
                c.rollback();
                c.setAutoCommit(true);
                t.sql(s, name, "select id from %s order by id");
                t.sql(s, name, "drop table %s");
            }
        });
    }

    @ParameterizedTest(name = "prepareThreshold={0}")
    @ValueSource(ints = {1, 5})
    void preparedStatementsRunManyTimes(int threshold) throws Exception {
        Transcript.same(fixture(), EXTENDED + "&prepareThreshold=" + threshold, (c, name, t) -> {
            try (PreparedStatement add = c.prepareStatement("select ?::int + ?::int");
                    PreparedStatement text = c.prepareStatement("select upper(?), length(?)")) {
                for (int i = 0; i < 20; i++) {
                    add.setInt(1, i);
                    add.setInt(2, 1000);
                    t.execute(add, "add " + i);
                    text.setString(1, "v" + i);
                    text.setString(2, "v" + i);
                    t.execute(text, "text " + i);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void copyInAndOutThenMoreStatements(String params) throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            rows.append(i).append('\t').append("row ").append(i).append('\n');
        }
        Transcript.same(fixture(), params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table %s(id int, v text)");
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                t.add("copy in -> " + copy.copyIn("copy " + name + " from stdin", new StringReader(rows.toString())));
                StringWriter out = new StringWriter();
                t.add("copy out -> " + copy.copyOut("copy " + name + " to stdout", out) + " "
                        + digest(out.toString().getBytes(StandardCharsets.UTF_8)));
                try {
                    copy.copyIn("copy " + name + " from stdin", new ByteArrayInputStream("not a number\tx\n".getBytes()));
                    t.add("bad copy -> accepted");
                } catch (java.sql.SQLException e) {
                    t.add("bad copy -> ERROR " + e.getSQLState());
                }
                t.sql(s, name, "select count(*), sum(id) from %s");
                t.sql(s, name, "drop table %s");
            }
        });
    }

    private static String digest(byte[] bytes) throws Exception {
        return bytes.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
