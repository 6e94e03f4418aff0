package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tricky sessions, each run through pgrouter's readsplit pipeline and on a direct connection to
 * the primary: both must see the same rows, counts and errors. Each runs with pgjdbc in the
 * simple protocol, in the extended protocol with unnamed statements first (pgjdbc's default,
 * {@code prepareThreshold=5}) and with named statements from the first execution
 * ({@code prepareThreshold=1}).
 */
class ReadsplitRegressionIT {
    private static final String SIMPLE = "preferQueryMode=simple";
    private static final String UNNAMED_FIRST = "prepareThreshold=5";
    private static final String NAMED = "prepareThreshold=1";

    @RegisterExtension
    // Pooled: each case's connections are handed to the next, so any state left behind shows.
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "").pooled();

    @BeforeAll
    static void shared() throws Exception {
        PgNode primary = fixture.cluster().primary();
        primary.execute("create schema sp");
        primary.execute("create table sp.only_in_sp as select g as x from generate_series(1, 5) g");
        primary.execute("create table shared_rows as select g as id, 'row ' || g as v from generate_series(1, 100) g");
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void nextvalInASelect(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create sequence seq_%s");
                for (int i = 0; i < 3; i++) {
                    t.sql(s, name, "select nextval('seq_%s'), pg_is_in_recovery()");
                }
                t.sql(s, name, "select currval('seq_%s'), lastval()");
                t.sql(s, name, "select x, nextval('seq_%s') from (values (1), (2)) v(x) order by x");
                t.sql(s, name, "drop sequence seq_%s");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void writeCteAndSelectForUpdate(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table cte_%s (x int)");
                t.sql(s, name, "with ins as (insert into cte_%s select generate_series(1, 3) returning x) select sum(x) from ins");
                t.sql(s, name, "select count(*) from cte_%s");
                t.sql(s, name, "with d as (delete from cte_%s where x = 1 returning *) select count(*) from d");
                t.sql(s, name, "select x, pg_is_in_recovery() from cte_%s order by x for update");
                t.sql(s, name, "select x from (select x from cte_%s for share) q order by x");
                t.sql(s, name, "drop table cte_%s");
            }
        });
    }

    private static final String[] BEGINS = {"BEGIN", "begin", "START TRANSACTION", "begin work", "Begin Transaction",
        "/* a comment */ BEGIN", "-- a line comment\nbegin", "  begin isolation level repeatable read",
        "start transaction read write"};
    private static final String[] ENDS = {"COMMIT", "rollback", "END", "abort", "commit work", "/* c */ ROLLBACK",
        "-- bye\ncommit", "COMMIT TRANSACTION", "rollback work"};

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void transactionsInEverySpelling(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table tx_%s (x int)");
                for (int i = 0; i < BEGINS.length; i++) {
                    t.sql(s, name, BEGINS[i]);
                    t.sql(s, name, "insert into tx_%s values (" + i + ")");
                    // Inside the transaction the session sees its own uncommitted row: the primary.
                    t.sql(s, name, "select count(*), pg_is_in_recovery() from tx_%s where x = " + i);
                    t.sql(s, name, "select current_setting('transaction_isolation')");
                    t.sql(s, name, ENDS[i]);
                    t.sql(s, name, "select count(*) from tx_%s where x = " + i);
                }
                // An error inside a transaction, then ROLLBACK; a COMMIT of a failed transaction.
                t.sql(s, name, "begin");
                t.sql(s, name, "select 1/0");
                t.sql(s, name, "select 1");
                t.sql(s, name, "rollback");
                t.sql(s, name, "begin; insert into tx_%s values (100); select 1/0; commit");
                t.sql(s, name, "commit");
                t.sql(s, name, "select count(*) from tx_%s where x = 100");
                t.sql(s, name, "drop table tx_%s");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void jdbcTransactionsWithAutocommitOff(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table ac_%s (x int)");
                c.setAutoCommit(false); // pgjdbc sends BEGIN with the next statement
                t.sql(s, name, "insert into ac_%s values (1)");
                t.sql(s, name, "select count(*), pg_is_in_recovery() from ac_%s");
                c.rollback();
                t.sql(s, name, "select count(*) from ac_%s");
                t.sql(s, name, "insert into ac_%s values (2)");
                c.commit();
                c.setAutoCommit(true);
                t.sql(s, name, "select x from ac_%s");
                t.sql(s, name, "drop table ac_%s");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void setSearchPathThenReads(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "select count(*) from only_in_sp");
                t.sql(s, name, "set search_path = sp, public");
                for (int i = 0; i < 3; i++) {
                    t.sql(s, name, "select sum(x) from only_in_sp");
                    t.sql(s, name, "show search_path");
                }
                t.sql(s, name, "reset search_path");
                t.sql(s, name, "select count(*) from only_in_sp");
                t.sql(s, name, "set application_name = 'regression'");
                t.sql(s, name, "select current_setting('application_name')");
            }
        });
    }

    @Test
    void setSearchPathReadsAreServedByAReplica() throws Exception {
        try (Connection c = connect(SIMPLE); Statement s = c.createStatement()) {
            s.execute("set search_path = sp, public");
            try (ResultSet rs = s.executeQuery("select sum(x), pg_is_in_recovery() from only_in_sp")) {
                assertTrue(rs.next());
                assertEquals(15, rs.getInt(1));
                assertTrue(rs.getBoolean(2), "a replica served the read, with the session's search_path");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void sqlPrepareAndExecute(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "prepare q_%s (int) as select v from shared_rows where id = $1");
                t.sql(s, name, "execute q_%s (7)");
                t.sql(s, name, "execute q_%s (8)");
                t.sql(s, name, "prepare w_%s (int) as select $1 * 2");
                t.sql(s, name, "execute w_%s (21)");
                t.sql(s, name, "select count(*) from pg_prepared_statements");
                t.sql(s, name, "deallocate q_%s");
                t.sql(s, name, "execute q_%s (7)");
                t.sql(s, name, "execute w_%s (1)");
                t.sql(s, name, "deallocate all");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void protocolLevelPreparedStatements(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create table ps_%s (id int primary key, v text)");
            }
            try (PreparedStatement read = c.prepareStatement("select v from shared_rows where id = ?");
                    PreparedStatement write = c.prepareStatement("insert into ps_" + name + " values (?, ?)");
                    PreparedStatement readOwn = c.prepareStatement("select count(*) from ps_" + name + " where id <= ?")) {
                for (int i = 1; i <= 12; i++) {
                    read.setInt(1, i);
                    t.execute(read, "read " + i);
                    write.setInt(1, i);
                    write.setString(2, "v" + i);
                    t.execute(write, "write " + i);
                    readOwn.setInt(1, i);
                    t.execute(readOwn, "read own " + i);
                }
                write.setInt(1, 1);
                t.execute(write, "duplicate key");
                read.setInt(1, 3);
                t.execute(read, "read after an error");
            }
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "drop table ps_%s");
            }
        });
    }

    @Test
    void namedStatementReadsArePreparedLazilyOnAReplica() throws Exception {
        try (Connection c = connect(NAMED);
                PreparedStatement ps = c.prepareStatement("select v, pg_is_in_recovery() from shared_rows where id = ?")) {
            int onReplica = 0;
            for (int i = 1; i <= 5; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("row " + i, rs.getString(1));
                    onReplica += rs.getBoolean(2) ? 1 : 0;
                }
            }
            // The first execution parses the named statement on the primary; the others bind it
            // on a replica, which is sent the Parse first.
            assertEquals(4, onReplica, "named statement reads after the first run on a replica");
        }
    }

    @Test
    void namedStatementsMayAlsoBeDeallocatedAndReprepared() throws Exception {
        Transcript.same(fixture, NAMED, (c, name, t) -> {
            for (int round = 0; round < 3; round++) {
                try (PreparedStatement ps = c.prepareStatement("select count(*) from shared_rows where id > ?")) {
                    for (int i = 0; i < 3; i++) {
                        ps.setInt(1, 10 * i);
                        t.execute(ps, "round " + round + " " + i);
                    }
                }
                try (Statement s = c.createStatement()) {
                    t.sql(s, name, "select 'between rounds'");
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void temporaryTableThenReads(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "create temp table tmp_%s (x int)");
                t.sql(s, name, "insert into tmp_%s select generate_series(1, 10)");
                for (int i = 0; i < 3; i++) {
                    t.sql(s, name, "select sum(x), pg_is_in_recovery() from tmp_%s");
                }
                t.sql(s, name, "select count(*) from shared_rows");
                t.sql(s, name, "select * into temp tmp2_%s from shared_rows where id < 4");
                t.sql(s, name, "select id, v from tmp2_%s order by id");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void listenAndNotify(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "listen ch_%s");
                t.sql(s, name, "select count(*) from shared_rows");
                t.sql(s, name, "notify ch_%s, 'from myself'");
                t.sql(s, name, "select pg_notify('ch_%s', 'by function')");
                try (Connection other = DriverManager.getConnection(c.getMetaData().getURL(), "postgres", "");
                        Statement o = other.createStatement()) {
                    o.execute("notify ch_" + name + ", 'from another session'");
                }
                List<String> payloads = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (payloads.size() < 3 && System.nanoTime() < deadline) {
                    PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(200);
                    for (PGNotification n : got == null ? new PGNotification[0] : got) {
                        payloads.add(n.getParameter());
                    }
                }
                t.add("notifications " + payloads);
                t.sql(s, name, "unlisten ch_%s");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void advisoryLocks(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Connection other = DriverManager.getConnection(c.getMetaData().getURL(), "postgres", "");
                    Statement s = c.createStatement(); Statement o = other.createStatement()) {
                t.sql(s, name, "select pg_advisory_lock(hashtext('%s'))");
                t.sql(o, name, "select pg_try_advisory_lock(hashtext('%s'))");
                t.sql(s, name, "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()");
                t.sql(s, name, "select pg_advisory_unlock(hashtext('%s'))");
                t.sql(o, name, "select pg_try_advisory_lock(hashtext('%s'))");
                t.sql(s, name, "select pg_try_advisory_lock(hashtext('%s'))");
                t.sql(o, name, "select pg_advisory_unlock_all()");
                t.sql(s, name, "select pg_try_advisory_lock(hashtext('%s'))");
                t.sql(s, name, "select pg_advisory_unlock(hashtext('%s'))");
                t.sql(s, name, "begin; select pg_advisory_xact_lock(hashtext('%s')); commit");
                t.sql(o, name, "select pg_try_advisory_lock(hashtext('%s')), pg_advisory_unlock(hashtext('%s'))");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void statementTimeout(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "set statement_timeout = '300ms'");
                t.sql(s, name, "show statement_timeout");
                t.sql(s, name, "select pg_sleep(3)");
                t.sql(s, name, "select count(*) from shared_rows");
                t.sql(s, name, "begin");
                t.sql(s, name, "set local statement_timeout = '5s'");
                t.sql(s, name, "select pg_sleep(0.5)");
                t.sql(s, name, "commit");
                t.sql(s, name, "select pg_sleep(3)");
                t.sql(s, name, "reset statement_timeout");
                t.sql(s, name, "select pg_sleep(0.5)");
            }
        });
    }

    private static Connection connect(String params) throws SQLException {
        return DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&" + params, "postgres", "");
    }
}
