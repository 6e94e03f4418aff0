package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pg_dump through readsplit (issue 5, "pg_dump of a database through pgrouter restores
 * identically"): a database with tables, a sequence, a view, an index, a comment and data is
 * dumped through pgrouter, restored with psql into a fresh database on a direct connection, and
 * dumped again directly; all dumps must read the same, comments aside. pg_dump runs a BEGIN, then
 * SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY, after set_config('search_path', ...),
 * so readsplit keeps its session on the primary; the test holds whichever way it is routed.
 */
class ReadsplitPgDumpIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @TempDir
    Path dir;

    @Test
    void aDumpThroughPgrouterRestoresIdentically() throws Exception {
        PgNode primary = fixture.cluster().primary();
        primary.execute("create database dumpsrc");
        primary.execute("create database dumpcopy");
        try (Connection c = primary.connect("dumpsrc", fixture.cluster().superuser(), ""); Statement s = c.createStatement()) {
            s.execute("create sequence order_no start 100");
            s.execute("create table customers (id int primary key, name text not null, created date default '2020-01-01')");
            s.execute("comment on table customers is 'people who order'");
            s.execute("create table orders (id bigint primary key default nextval('order_no'),"
                    + " customer int references customers, amount numeric(10,2), note text)");
            s.execute("create index orders_customer on orders (customer)");
            s.execute("create view big_orders as select o.id, c.name, o.amount from orders o"
                    + " join customers c on c.id = o.customer where o.amount > 50");
            s.execute("insert into customers (id, name) select g, 'customer ' || g from generate_series(1, 50) g");
            s.execute("insert into orders (customer, amount, note) select 1 + g % 50, g * 1.5,"
                    + " case when g % 7 = 0 then null else E'note\\t' || g end from generate_series(1, 500) g");
        }
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);

        String direct = dump(primary.host(), primary.port(), "dumpsrc");
        assertTrue(direct.contains("CREATE VIEW public.big_orders") && direct.contains("COPY public.orders")
                && direct.contains("CREATE INDEX orders_customer") && direct.contains("CREATE SEQUENCE public.order_no")
                && direct.contains("SELECT pg_catalog.setval('public.order_no', 599, true);"), direct);

        String routed = dump("127.0.0.1", fixture.router().port, "dumpsrc");
        assertEquals(withoutComments(direct), withoutComments(routed), "a dump through pgrouter reads as a direct one");

        Path file = dir.resolve("routed.sql");
        Files.writeString(file, routed);
        ProcessResult restore = PgTools.run(Duration.ofMinutes(2), Map.of(), PgTools.bin("psql").toString(), "-X", "-q",
                "-v", "ON_ERROR_STOP=1", "-h", primary.host(), "-p", String.valueOf(primary.port()),
                "-U", fixture.cluster().superuser(), "-d", "dumpcopy", "-f", file.toString());
        assertEquals(0, restore.exitCode(), restore.output());
        String restored = dump(primary.host(), primary.port(), "dumpcopy");
        assertEquals(withoutComments(direct), withoutComments(restored), "the restored copy dumps as the original");
    }

    private static String dump(String host, int port, String database) {
        ProcessResult r = PgTools.run(Duration.ofMinutes(2), Map.of(), PgTools.bin("pg_dump").toString(),
                "-h", host, "-p", String.valueOf(port), "-U", fixture.cluster().superuser(), "--no-password", database);
        assertEquals(0, r.exitCode(), () -> "pg_dump via " + host + ":" + port + " failed: " + r.stderr()
                + "\n" + fixture.router().log());
        return r.stdout();
    }

    /**
     * The dump without comment lines (they carry versions and timestamps) and without the
     * backslash-restrict and backslash-unrestrict lines of recent pg_dump releases (they carry a random key).
     */
    private static String withoutComments(String dump) {
        return dump.lines().filter(l -> !l.startsWith("--") && !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
                .collect(Collectors.joining("\n"));
    }
}
