package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume half of the readsplit regression suite: long sessions, large statements and
 * results, and psql scripts, each through pgrouter and directly on the primary, compared.
 */
class ReadsplitVolumeIT {
    private static final int LARGE = 100 << 20; // the 100 MB

    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @BeforeAll
    static void eligible() throws Exception {
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
    }

    @Test
    void aSessionRuns100kStatements() throws Exception {
        Transcript.same(fixture, "preferQueryMode=simple", (c, name, t) -> {
            long sum = 0;
            int onReplica = 0;
            try (Statement s = c.createStatement()) {
                s.execute("create table many_" + name + " (i int)");
                // 60 000 inserts, pipelined in batches (one Query message each, on the primary) ...
                for (int batch = 0; batch < 30; batch++) {
                    for (int i = 0; i < 2_000; i++) {
                        s.addBatch("insert into many_" + name + " values (" + (batch * 2_000 + i) + ")");
                    }
                    t.add("batch " + batch + " inserted " + java.util.Arrays.stream(s.executeBatch()).sum());
                }
                // ... and 40 000 reads one at a time, most of them on a replica once it has caught up.
                for (int i = 0; i < 40_000; i++) {
                    try (ResultSet rs = s.executeQuery("select " + i + ", pg_is_in_recovery()")) {
                        rs.next();
                        sum += rs.getLong(1);
                        onReplica += rs.getBoolean(2) ? 1 : 0;
                    }
                }
                t.sql(s, name, "select count(*), sum(i) from many_%s");
                t.sql(s, name, "drop table many_%s");
            }
            t.add("sum " + sum);
            if (name.startsWith("r")) {
                assertTrue(onReplica > 10_000, "replicas served many of the reads: " + onReplica);
            }
        });
    }

    @Test
    void aLargeInsertAndALargeResult() throws Exception {
        String big = "0123456789abcdef".repeat(LARGE / 16);
        String md5 = md5(big);
        for (String params : new String[] {"preferQueryMode=simple", "prepareThreshold=5"}) {
            Transcript.same(fixture, params, (c, name, t) -> {
                try (Statement s = c.createStatement()) {
                    t.sql(s, name, "create table big_%s (id int, v text)");
                    try (PreparedStatement ps = c.prepareStatement("insert into big_" + name + " values (1, ?)")) {
                        ps.setString(1, big); // one message of 100 MB (a literal in simple mode)
                        t.execute(ps, "insert");
                    }
                    t.sql(s, name, "select id, length(v), md5(v) = '" + md5 + "' from big_%s");
                    try (ResultSet rs = s.executeQuery("select v from big_" + name)) {
                        assertTrue(rs.next());
                        t.add("result md5 matches: " + md5(rs.getString(1)).equals(md5));
                    }
                    t.sql(s, name, "select length(string_agg(v, '')) from big_%s, generate_series(1, 2)");
                    t.sql(s, name, "drop table big_%s");
                }
            });
        }
    }

    @Test
    void aLargeResultFromAReplica() throws Exception {
        fixture.cluster().primary().execute("create table wide as select g, repeat(md5(g::text), 20) as v "
                + "from generate_series(1, 50000) g");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
        Transcript.same(fixture, "preferQueryMode=simple", (c, name, t) -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select g, v from wide order by g")) {
                MessageDigest digest = MessageDigest.getInstance("MD5");
                long rows = 0;
                while (rs.next()) {
                    digest.update(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                    rows++;
                }
                t.add(rows + " rows, md5 " + HexFormat.of().formatHex(digest.digest())); // about 32 MB
            }
        });
    }

    @Test
    void aPsqlScriptBehavesAsOnADirectConnection(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("script.sql");
        Files.writeString(script, """
                \\set ON_ERROR_STOP 0
                create table psql_items (id int primary key, name text, price numeric);
                copy psql_items from stdin;
                1	apple	1.50
                2	pear	2.25
                3	plum	\\N
                \\.
                select count(*), sum(price) from psql_items;
                copy psql_items to stdout with (format csv, header);
                copy (select id, upper(name) from psql_items where id > 1 order by id) to stdout;
                select 1 as a \\; select 2 as b \\; insert into psql_items values (4, 'fig', 3);
                select id from psql_items order by id;
                do $$
                begin
                  insert into psql_items values (5, 'kiwi', 0.5);
                  raise notice 'inserted % rows so far', (select count(*) from psql_items);
                end
                $$;
                begin;
                delete from psql_items where id = 5;
                select count(*) from psql_items;
                rollback;
                select count(*) from psql_items;
                create temp table psql_tmp as select * from psql_items where price > 1;
                select id, name from psql_tmp order by id;
                select 1/0;
                select 'after an error', count(*) from psql_tmp;
                prepare p(int) as select name from psql_items where id = $1;
                execute p(2);
                set search_path = pg_catalog, public;
                select count(*) from psql_items;
                drop table psql_items;
                """);
        ProcessResult routed = psql(fixture.router().port, script);
        ProcessResult direct = psql(fixture.cluster().primary().port(), script);
        assertEquals(0, direct.exitCode(), direct.output());
        assertTrue(direct.stdout().contains("2,pear,2.25"), direct.output());
        assertEquals(direct.stdout(), routed.stdout());
        assertEquals(direct.stderr(), routed.stderr());
        assertEquals(direct.exitCode(), routed.exitCode());
    }

    private static ProcessResult psql(int port, Path script) {
        return PgTools.run(Duration.ofMinutes(1), Map.of("PGCONNECT_TIMEOUT", "10"), PgTools.bin("psql").toString(),
                "-X", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres",
                "-f", script.toString());
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
