package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read-only transactions under readsplit (issue 5, rule 4): {@code BEGIN READ ONLY} and its
 * spellings run whole on one replica until the replica says idle again; a write inside fails
 * there as it would on the primary; a plain BEGIN, and BEGIN then SET TRANSACTION READ ONLY, stay
 * on the primary. pgjdbc's {@code setReadOnly(true)} with autocommit off is the common case.
 */
class ReadsplitReadOnlyIT {
    private static final String SIMPLE = "preferQueryMode=simple";
    private static final String UNNAMED_FIRST = "prepareThreshold=5";
    private static final String NAMED = "prepareThreshold=1";

    private static final String[] BEGINS = {"BEGIN READ ONLY", "begin transaction read only", "START TRANSACTION READ ONLY",
        "start transaction isolation level repeatable read, read only", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        "/* a comment */ begin work read only", "Begin Transaction Isolation Level Read Committed Read Only"};

    @RegisterExtension
    // Pooled: each case's connections are handed to the next, so any state left behind shows.
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "").pooled();

    @BeforeAll
    static void start() {
        fixture.cluster().primary().execute("create table ro_items as select g as id, 'row ' || g as v from generate_series(1, 20) g");
        fixture.cluster().primary().execute("create table ro_log (id int)");
    }

    /** Each test starts with replicas the watcher has seen caught up, so reads may use them. */
    @BeforeEach
    void replicasCaughtUp() throws Exception {
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        fixture.router().awaitMonitor(Duration.ofSeconds(20), m -> m.lines().filter(l -> l.contains(" slave OK 0")).count() == 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST})
    void aReadOnlyTransactionRunsWholeOnOneReplica(String params) throws Exception {
        try (Connection c = connect(params); Statement s = c.createStatement()) {
            for (int i = 0; i < BEGINS.length; i++) {
                s.execute(BEGINS[i]);
                Set<Integer> pids = new HashSet<>();
                for (int k = 0; k < 3; k++) {
                    try (ResultSet rs = s.executeQuery("select pg_is_in_recovery(), inet_server_port(), pg_backend_pid(),"
                            + " current_setting('transaction_read_only'), count(*) from ro_items")) {
                        assertTrue(rs.next());
                        assertTrue(rs.getBoolean(1), BEGINS[i] + ": the transaction runs on a replica");
                        assertTrue(replicaPorts().contains(rs.getInt(2)), BEGINS[i] + ": port " + rs.getInt(2));
                        pids.add(rs.getInt(3));
                        assertEquals("on", rs.getString(4), BEGINS[i]);
                        assertEquals(20, rs.getInt(5));
                    }
                }
                assertEquals(1, pids.size(), BEGINS[i] + ": every statement of the transaction ran on one backend");
                s.execute(i % 2 == 0 ? "commit" : "rollback");
                assertTrue(isInRecovery(s), "after the transaction a read still goes to a replica");
            }
            // A write after it goes to the primary, as always, and its row is there.
            assertEquals(1, s.executeUpdate("insert into ro_log values (1)"));
            try (ResultSet rs = s.executeQuery("select count(*) from ro_log where id = 1")) {
                assertTrue(rs.next());
                assertTrue(rs.getInt(1) >= 1, "read-your-writes after the write");
            }
        }
    }

    @Test
    void aWholeReadOnlyTransactionInOneQueryRunsOnAReplica() throws Exception {
        try (Connection c = connect(SIMPLE); Statement s = c.createStatement()) {
            boolean isResult = s.execute("begin read only; select pg_is_in_recovery(), count(*) from ro_items; commit");
            while (!isResult && s.getUpdateCount() != -1) {
                isResult = s.getMoreResults(); // BEGIN's result comes first
            }
            assertTrue(isResult, "the SELECT's rows came back");
            try (ResultSet rs = s.getResultSet()) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), "the whole string ran on a replica");
                assertEquals(20, rs.getInt(2));
            }
            assertTrue(isInRecovery(s), "the session is idle again and reads go to a replica");
            assertEquals(1, s.executeUpdate("insert into ro_log values (2)"), "writes still reach the primary");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void writesInsideFailWith25006AndCommitAndRollbackWorkAsDirectly(String params) throws Exception {
        Transcript.same(fixture, params, (c, name, t) -> {
            try (Statement s = c.createStatement()) {
                t.sql(s, name, "begin read only");
                t.sql(s, name, "select count(*) from ro_items");
                t.sql(s, name, "select current_setting('transaction_read_only')");
                t.sql(s, name, "insert into ro_log values (3)");
                t.sql(s, name, "select 1");
                t.sql(s, name, "rollback");
                t.sql(s, name, "start transaction read only");
                t.sql(s, name, "select v from ro_items where id = 3");
                t.sql(s, name, "declare cur cursor for select id from ro_items order by id");
                t.sql(s, name, "fetch 2 from cur");
                t.sql(s, name, "savepoint a");
                t.sql(s, name, "select 1/0");
                t.sql(s, name, "rollback to savepoint a");
                t.sql(s, name, "fetch 2 from cur");
                t.sql(s, name, "commit");
                t.sql(s, name, "begin read only");
                t.sql(s, name, "delete from ro_items");
                t.sql(s, name, "commit");
                t.sql(s, name, "select count(*) from ro_items");
                t.sql(s, name, "insert into ro_log values (8)");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST, NAMED})
    void pgjdbcSetReadOnlyWithAutocommitOff(String params) throws Exception {
        try (Connection c = connect(params)) {
            c.setAutoCommit(false);
            c.setReadOnly(true); // pgjdbc begins each transaction with BEGIN READ ONLY
            try (PreparedStatement ps = c.prepareStatement("select pg_is_in_recovery(), inet_server_port(), pg_backend_pid(),"
                    + " current_setting('transaction_read_only'), v from ro_items where id = ?")) {
                for (int tx = 0; tx < 3; tx++) {
                    Set<Integer> pids = new HashSet<>();
                    Set<Boolean> onReplica = new HashSet<>();
                    for (int i = 1; i <= 7; i++) { // past prepareThreshold: named statements inside
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            onReplica.add(rs.getBoolean(1));
                            pids.add(rs.getInt(3));
                            assertEquals("on", rs.getString(4), "the transaction is read-only");
                            assertEquals("row " + i, rs.getString(5));
                        }
                    }
                    assertEquals(1, pids.size(), "transaction " + tx + " ran on one backend");
                    assertEquals(1, onReplica.size());
                    // With prepareThreshold=1 the first transaction parses a named statement in
                    // the group that begins it: that one runs on the primary.
                    if (tx > 0 || !params.equals(NAMED)) {
                        assertTrue(onReplica.contains(true), "transaction " + tx + " ran on a replica (" + params + ")\n"
                                + fixture.router().log());
                    }
                    if (tx % 2 == 0) {
                        c.commit();
                    } else {
                        c.rollback();
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("insert into ro_log values (4)"));
                assertEquals("25006", e.getSQLState(), "a write in a read-only transaction fails as directly");
                c.rollback();
            }
            // Read-write again: the same named statement now runs in a transaction on the primary,
            // which has it although it was parsed inside a replica transaction.
            c.setReadOnly(false);
            try (PreparedStatement ps = c.prepareStatement("select pg_is_in_recovery(), v from ro_items where id = ?");
                    Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("insert into ro_log values (5)"));
                for (int i = 1; i <= 7; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertFalse(rs.getBoolean(1), "a read-write transaction runs on the primary");
                        assertEquals("row " + i, rs.getString(2));
                    }
                }
                c.commit();
            }
        }
        try (Connection direct = fixture.cluster().primary().connect(); Statement s = direct.createStatement();
                ResultSet rs = s.executeQuery("select count(*) filter (where id = 4), count(*) filter (where id = 5) from ro_log")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "the read-only transaction wrote nothing");
            assertTrue(rs.getInt(2) >= 1, "the read-write transaction's row was written");
        }
    }

    @Test
    void pgjdbcStatementsPreparedInsideAReplicaTransactionWorkOutsideIt() throws Exception {
        try (Connection c = connect(UNNAMED_FIRST);
                PreparedStatement ps = c.prepareStatement("select v, pg_is_in_recovery() from ro_items where id = ?")) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            for (int i = 1; i <= 6; i++) { // the fifth execution parses a named statement, on the replica
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertTrue(rs.getBoolean(2));
                }
            }
            c.commit();
            c.setReadOnly(false); // the next transaction is a plain BEGIN: it runs on the primary
            ps.setInt(1, 9);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the named statement exists on the primary too");
                assertEquals("row 9", rs.getString(1));
                assertFalse(rs.getBoolean(2), "a read-write transaction runs on the primary");
            }
            c.commit();
        }
    }

    @Test
    void aPlainBeginAndSetTransactionReadOnlyStayOnThePrimary() throws Exception {
        try (Connection c = connect(SIMPLE); Statement s = c.createStatement()) {
            s.execute("begin");
            assertFalse(isInRecovery(s), "a plain BEGIN runs on the primary");
            s.execute("commit");
            s.execute("begin");
            s.execute("set transaction isolation level repeatable read, read only");
            assertFalse(isInRecovery(s), "BEGIN; SET TRANSACTION READ ONLY stays on the primary");
            SQLException e = assertThrows(SQLException.class, () -> s.execute("insert into ro_log values (7)"));
            assertEquals("25006", e.getSQLState());
            s.execute("rollback");
            // After a transaction on the primary, reads wait for the replicas to catch up.
            Await.until(Duration.ofSeconds(20), "reads go to a replica again", () -> isInRecovery(s));
        }
    }

    @Test
    void aSerializableReadOnlyTransactionTheReplicaRefusesRunsOnThePrimary() throws Exception {
        try (Connection c = connect(SIMPLE); Statement s = c.createStatement()) {
            assertTrue(isInRecovery(s), "the session has a replica connection");
            // A hot standby refuses SERIALIZABLE (0A000): the BEGIN is re-run on the primary.
            s.execute("begin isolation level serializable, read only");
            try (ResultSet rs = s.executeQuery("select current_setting('transaction_isolation'), pg_is_in_recovery(),"
                    + " current_setting('transaction_read_only')")) {
                assertTrue(rs.next());
                assertEquals("serializable", rs.getString(1));
                assertFalse(rs.getBoolean(2), "the transaction runs on the primary");
                assertEquals("on", rs.getString(3));
            }
            s.execute("commit");
            // The replica connection was left idle: a later read-only transaction runs there.
            Await.until(Duration.ofSeconds(20), "reads go to a replica again", () -> isInRecovery(s));
            s.execute("begin read only");
            try (ResultSet rs = s.executeQuery("select pg_is_in_recovery(), current_setting('transaction_isolation')")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1));
                assertEquals("read committed", rs.getString(2));
            }
            s.execute("commit");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, UNNAMED_FIRST})
    void sessionStateInsideAReplicaTransactionIsRefusedAndAbortsIt(String params) throws Exception {
        try (Connection c = connect(params); Statement s = c.createStatement()) {
            s.execute("begin read only");
            assertTrue(isInRecovery(s));
            SQLException e = assertThrows(SQLException.class, () -> s.execute("set search_path = nowhere"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("pgrouter"), e.getMessage());
            e = assertThrows(SQLException.class, () -> s.executeQuery("select 1"));
            assertEquals("25P02", e.getSQLState(), "the transaction is aborted, as after any error");
            s.execute("rollback");
            try (ResultSet rs = s.executeQuery("select current_setting('search_path'), pg_is_in_recovery()")) {
                assertTrue(rs.next());
                assertEquals("\"$user\", public", rs.getString(1), "the refused SET changed nothing");
                assertTrue(rs.getBoolean(2));
            }
            s.execute("begin read only");
            s.execute("set local search_path = nowhere"); // ends with the transaction: fine
            try (ResultSet rs = s.executeQuery("select current_setting('search_path')")) {
                assertTrue(rs.next());
                assertEquals("nowhere", rs.getString(1));
            }
            s.execute("commit");
        }
    }

    private static boolean isInRecovery(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
            assertTrue(rs.next());
            return rs.getBoolean(1);
        }
    }

    private static Connection connect(String params) throws SQLException {
        return DriverManager.getConnection(fixture.router().jdbcUrl("postgres") + "&" + params, "postgres", "");
    }

    private static Set<Integer> replicaPorts() {
        return fixture.cluster().replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }
}
