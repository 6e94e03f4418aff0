package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.Route.PRIMARY;
import static io.pgrouter.pipeline.readsplit.sql.Route.REPLICA;
import static io.pgrouter.pipeline.readsplit.sql.RouteReason.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Route and reason for each rule of issue 5 rule 2, and for every way text can hide a keyword. */
class StatementRouteTest {

    private static final StatementClassifier CLASSIFIER = new StatementClassifier();

    static Stream<Arguments> reads() {
        return Stream.of(
                read("select 1"),
                read("SELECT * FROM t WHERE id = $1"),
                read("  \n\tSeLeCt a, b FROM t ORDER BY a LIMIT 10"),
                read("values (1), (2)"),
                read("table accounts"),
                read("show search_path"),
                read("SHOW ALL"),
                read("(select 1) union (select 2)"),
                read("with x as (select 1) select * from x"),
                read("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r"),
                read("with a as materialized (select 1), b as not materialized (select 2) select * from a, b"),
                read("select now(), current_setting('search_path'), pg_sleep(0)"),
                read("select 1;"),
                read("select 1;;  ;"),
                read("select 1; select 2"),
                // keywords hidden in strings, identifiers and comments
                read("select 'insert into t values (1)'"),
                read("select 'it''s an update; delete from t'"),
                read("select E'\\' delete from t'"),
                read("select e'it\\'s ''fine''; update t set a = 1'"),
                read("select U&'d\\0061ta; delete'"),
                read("select B'1010', X'ff', N'delete'"),
                read("select $$ delete from t $$"),
                read("select $body$ update t set x = 1; $ nested $$ $body$"),
                read("select $a$ $b$ insert $b$ $a$"),
                read("select \"update\" from t"),
                read("select \"delete\"\"\" from \"insert\""),
                read("select U&\"d\\0061t\\0061\" from t"),
                read("/* insert */ select 1"),
                read("-- update\nselect 1"),
                read("select 1 -- ; delete from t"),
                read("select /* outer /* inner; delete */ still comment; update */ 1"),
                read("select 1 /* for update */"),
                read("select 'for update' from t"),
                read("select a$b, c$$d from t"), // $ inside identifiers is no dollar quote
                read("select $1::text, $2 from t where x = $10"),
                read("select nextvalue(1)"),
                read("select my_nextval('s')"),
                read("select nextval from t"),
                read("select t.nextval from t"),
                read("select 'nextval(''s'')'"),
                read("select \"NEXTVAL\"('s')"),
                read("select set_configuration()"),
                read("select substring('abc' from 1 for 2)"),
                read("select temp from weather"),
                read("select substring(s from 1 for key) from t"),
                read("select overlay(s placing 'x' from 1 for no) from t"),
                read("explain select 1"),
                read("explain insert into t values (1)"),
                read("explain delete from t"),
                read("EXPLAIN (COSTS OFF, VERBOSE) UPDATE t SET a = 1"),
                read("explain select nextval('s')"),
                read("explain (analyze false) delete from t"),
                read("explain (analyze off, buffers) delete from t"),
                read("explain analyze select * from t"),
                read("EXPLAIN (ANALYZE, BUFFERS) SELECT 1"),
                read("copy t to stdout"),
                read("COPY t (a, b) TO STDOUT WITH (FORMAT csv)"),
                read("copy (select * from t where a > 1) to stdout"),
                read("copy (select 'from stdin') to stdout"),
                read("select 1 as a\nfrom t -- trailing comment"),
                read("WITH t AS (SELECT 1) TABLE t"),
                read("select 1 as \"update\""),
                read("select x from t where y in (select y from u where z = 'update')"))
                .map(Case::arguments);
    }

    static Stream<Arguments> primaries() {
        return Stream.of(
                primary("insert into t values (1)", WRITE),
                primary("UPDATE t SET a = 1", WRITE),
                primary("delete from t", WRITE),
                primary("merge into t using s on t.id = s.id when matched then delete", WRITE),
                primary("truncate t", WRITE),
                primary("with x as (select 1) insert into t select * from x", DATA_MODIFYING_SUBSTATEMENT),
                primary("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", DATA_MODIFYING_SUBSTATEMENT),
                primary("with a as (select 1), b as (update t set x = 1 returning x) select * from a, b", DATA_MODIFYING_SUBSTATEMENT),
                primary("with recursive r as (select 1), w as (insert into log values (1)) select * from r", DATA_MODIFYING_SUBSTATEMENT),
                primary("with x as (merge into t using s on true when matched then do nothing) select 1", DATA_MODIFYING_SUBSTATEMENT),
                primary("select * from t for update", LOCKING),
                primary("SELECT * FROM t FOR SHARE", LOCKING),
                primary("select * from t for no key update", LOCKING),
                primary("select * from t for key share skip locked", LOCKING),
                primary("select * from t for update of t nowait", LOCKING),
                primary("select * from t where id in (select id from u for update)", LOCKING),
                primary("with x as (select * from t for update) select * from x", LOCKING),
                primary("select * /* */ from t for /* */ update", LOCKING),
                primary("lock table t in exclusive mode", LOCKING),
                primary("select * into new_t from t", SELECT_INTO),
                primary("select a into temp tmp_t from t", SELECT_INTO),
                primary("select nextval('s')", WRITE_FUNCTION),
                primary("SELECT NEXTVAL('s')", WRITE_FUNCTION),
                primary("select public.nextval('s')", WRITE_FUNCTION),
                primary("select pg_catalog.nextval ('s')", WRITE_FUNCTION),
                primary("select \"nextval\"('s')", WRITE_FUNCTION),
                primary("select \"pg_catalog\".\"nextval\"('s')", WRITE_FUNCTION),
                primary("select nextval /* why not */ ('s')", WRITE_FUNCTION),
                primary("select * from t where id = (select currval('s'))", WRITE_FUNCTION),
                primary("select setval('s', 10)", WRITE_FUNCTION),
                primary("select lastval()", WRITE_FUNCTION),
                primary("select pg_advisory_lock(1)", WRITE_FUNCTION),
                primary("select pg_try_advisory_xact_lock(1)", WRITE_FUNCTION),
                primary("select pg_advisory_unlock_all()", WRITE_FUNCTION),
                primary("select set_config('search_path', 'a', false)", WRITE_FUNCTION),
                primary("select pg_notify('c', 'x')", WRITE_FUNCTION),
                primary("select lo_create(0)", WRITE_FUNCTION),
                primary("select lo_import('/tmp/x')", WRITE_FUNCTION),
                primary("select txid_current()", WRITE_FUNCTION),
                primary("select pg_current_xact_id()", WRITE_FUNCTION),
                primary("select pg_switch_wal()", WRITE_FUNCTION),
                primary("select pg_create_restore_point('x')", WRITE_FUNCTION),
                primary("values (nextval('s'))", WRITE_FUNCTION),
                primary("with x as (select nextval('s')) select * from x", WRITE_FUNCTION),
                primary("select * from generate_series(1, 3) g, lateral (select nextval('s')) n", WRITE_FUNCTION),
                read("select 'pg_stat_activity', \"my_pg_stat\" from t"),
                read("select pg_class.relname from pg_class"),
                primary("select * from pg_stat_activity where pid = pg_backend_pid()", NODE_LOCAL),
                primary("select count(*) from pg_catalog.pg_locks", NODE_LOCAL),
                primary("SELECT gid FROM PG_PREPARED_XACTS", NODE_LOCAL),
                primary("select * from \"pg_stat_replication\"", NODE_LOCAL),
                primary("select pg_backend_pid()", NODE_LOCAL),
                read("select inet_server_port(), pg_is_in_recovery()"),
                primary("select * from pg_statio_user_tables", NODE_LOCAL),
                primary("select pg_stat_get_numscans(1)", NODE_LOCAL),
                primary("select received_lsn from pg_stat_wal_receiver", NODE_LOCAL),
                primary("select * from t where id in (select pid from pg_stat_activity)", NODE_LOCAL),
                primary("explain analyze insert into t values (1)", WRITE),
                primary("EXPLAIN ANALYZE VERBOSE DELETE FROM t", WRITE),
                primary("explain (analyze, costs off) update t set a = 1", WRITE),
                primary("explain (analyze true) delete from t", WRITE),
                primary("explain analyze select nextval('s')", WRITE_FUNCTION),
                primary("explain analyze select * from t for update", LOCKING),
                primary("copy t from stdin", COPY_FROM),
                primary("COPY t (a, b) FROM STDIN WITH (FORMAT csv)", COPY_FROM),
                primary("copy t from '/tmp/data.csv'", COPY_FROM),
                primary("copy t to '/tmp/data.csv'", COPY_TO_SERVER),
                primary("copy t to program 'gzip > /tmp/x'", COPY_TO_SERVER),
                primary("copy (delete from t returning *) to stdout", DATA_MODIFYING_SUBSTATEMENT),
                primary("copy (select nextval('s')) to stdout", WRITE_FUNCTION),
                primary("create table t (a int)", SCHEMA_CHANGE),
                primary("CREATE TEMP TABLE tmp (a int)", SCHEMA_CHANGE),
                primary("alter table t add column b int", SCHEMA_CHANGE),
                primary("drop table t", SCHEMA_CHANGE),
                primary("grant select on t to u", SCHEMA_CHANGE),
                primary("revoke select on t from u", SCHEMA_CHANGE),
                primary("comment on table t is 'x'", SCHEMA_CHANGE),
                primary("refresh materialized view v", SCHEMA_CHANGE),
                primary("reindex table t", SCHEMA_CHANGE),
                primary("create function f() returns int language sql begin atomic select 1; select 2; end", SCHEMA_CHANGE),
                primary("vacuum t", MAINTENANCE),
                primary("VACUUM (VERBOSE, ANALYZE) t", MAINTENANCE),
                primary("analyze t", MAINTENANCE),
                primary("checkpoint", MAINTENANCE),
                primary("call my_proc(1)", PROCEDURE),
                primary("do $$ begin perform 1; end $$", PROCEDURE),
                primary("listen c", NOTIFICATION),
                primary("notify c, 'x'", NOTIFICATION),
                primary("unlisten *", NOTIFICATION),
                primary("begin", TRANSACTION_CONTROL),
                primary("BEGIN ISOLATION LEVEL SERIALIZABLE", TRANSACTION_CONTROL),
                primary("start transaction", TRANSACTION_CONTROL),
                primary("begin isolation level read committed, read write", TRANSACTION_CONTROL),
                primary("commit", TRANSACTION_CONTROL),
                primary("rollback", TRANSACTION_CONTROL),
                primary("end", TRANSACTION_CONTROL),
                primary("savepoint s1", TRANSACTION_CONTROL),
                primary("rollback to savepoint s1", TRANSACTION_CONTROL),
                primary("rollback work to s1", TRANSACTION_CONTROL),
                primary("prepare transaction 'tx1'", TRANSACTION_CONTROL),
                primary("commit prepared 'tx1'", TRANSACTION_CONTROL),
                primary("set local statement_timeout = 0", TRANSACTION_CONTROL),
                primary("set transaction isolation level serializable", TRANSACTION_CONTROL),
                primary("set search_path to a, b", SESSION_STATE),
                primary("reset all", SESSION_STATE),
                primary("discard all", SESSION_STATE),
                primary("prepare p as select 1", PREPARED_STATEMENT),
                primary("execute p", PREPARED_STATEMENT),
                primary("deallocate p", PREPARED_STATEMENT),
                primary("declare c cursor for select 1", CURSOR),
                primary("fetch 10 from c", CURSOR),
                primary("close c", CURSOR),
                primary("frobnicate the database", UNKNOWN_STATEMENT),
                primary("start something", UNKNOWN_STATEMENT),
                primary("123", UNKNOWN_STATEMENT),
                primary("select 1; insert into t values (1)", WRITE),
                primary("insert into t values (1); select 1", WRITE),
                primary("select 1; begin; select 2; commit", TRANSACTION_CONTROL),
                primary("begin; select 1; commit", TRANSACTION_CONTROL),
                primary("select 1; select nextval('s')", WRITE_FUNCTION),
                primary("select 1 as \"a;b\"; delete from t", WRITE),
                primary("select ';'; delete from t", WRITE),
                primary("select $$;$$; delete from t", WRITE),
                primary("select 1 /* ; */; delete from t", WRITE),
                primary("create rule r as on insert to t do also (insert into u values (1); update v set x = 1)", SCHEMA_CHANGE),
                primary("select 1 as update", DATA_MODIFYING_SUBSTATEMENT), // documented false positive: errs towards the primary
                primary("with t as (select 1) insert into u table t", DATA_MODIFYING_SUBSTATEMENT),
                primary("", EMPTY),
                primary("/* pgrouter:replica */", EMPTY),
                primary("   ", EMPTY),
                primary("-- just a comment", EMPTY),
                primary(";", EMPTY),
                // unterminated or unbalanced: unsure, even when it starts like a read
                primary("select 'abc", MALFORMED_INPUT),
                primary("select \"abc", MALFORMED_INPUT),
                primary("select $$ abc", MALFORMED_INPUT),
                primary("select $tag$ abc $tag", MALFORMED_INPUT),
                primary("select 1 /* abc", MALFORMED_INPUT),
                primary("select 1 /* a /* b */", MALFORMED_INPUT),
                primary("select e'abc\\'", MALFORMED_INPUT),
                primary("select (1", MALFORMED_INPUT),
                primary("select 1)", MALFORMED_INPUT),
                primary("select 1; select 'x", MALFORMED_INPUT),
                primary("/* pgrouter:replica */ select 'x", MALFORMED_INPUT))
                .map(Case::arguments);
    }

    static Stream<Arguments> hints() {
        return Stream.of(
                primary("/* pgrouter:primary */ select 1", HINT_PRIMARY),
                primary("/*pgrouter:primary*/select 1", HINT_PRIMARY),
                primary("/*  PGROUTER:PRIMARY  */ select 1", HINT_PRIMARY),
                primary("-- pgrouter:primary\nselect 1", HINT_PRIMARY),
                primary("/* app=web */ /* pgrouter:primary */ select 1", HINT_PRIMARY),
                primary("/* pgrouter:replica */ /* pgrouter:primary */ select 1", HINT_PRIMARY),
                primary("select 1; /* pgrouter:primary */ select 2", HINT_PRIMARY),
                read("/* pgrouter:replica */ select 1"),
                read("/* pgrouter:other */ select 1"),
                read("select /* pgrouter:primary */ 1"), // not at the start: not a hint
                read("select 1 -- pgrouter:primary"),
                primary("/* pgrouter:replica */ frobnicate", HINT_REPLICA).withRoute(REPLICA),
                primary("/* pgrouter:replica */ call report()", HINT_REPLICA).withRoute(REPLICA),
                primary("/* pgrouter:replica */ do $$ begin end $$", HINT_REPLICA).withRoute(REPLICA),
                // a replica hint never moves a write
                primary("/* pgrouter:replica */ insert into t values (1)", WRITE),
                primary("/* pgrouter:replica */ select nextval('s')", WRITE_FUNCTION),
                primary("/* pgrouter:replica */ select * from t for update", LOCKING),
                primary("/* pgrouter:replica */ begin", TRANSACTION_CONTROL),
                primary("/* pgrouter:replica */ set a = 1", SESSION_STATE),
                primary("/* pgrouter:replica */ call p(); insert into t values (1)", WRITE),
                primary("/* pgrouter:replica */ select 1; frobnicate", UNKNOWN_STATEMENT))
                .map(Case::arguments);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("reads")
    void readsGoToAReplica(String sql, Route route, RouteReason reason) {
        assertRoute(sql, route, reason);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("primaries")
    void writesAndUnsureStatementsGoToThePrimary(String sql, Route route, RouteReason reason) {
        assertRoute(sql, route, reason);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hints")
    void hintsForceARouteButNeverMoveAWrite(String sql, Route route, RouteReason reason) {
        assertRoute(sql, route, reason);
    }

    @org.junit.jupiter.api.Test
    void standardConformingStringsOffMakesBackslashEscapeInPlainStrings() {
        String sql = "select 'a\\'; delete from t; --'";
        assertRoute(sql, PRIMARY, WRITE);
        assertEquals(REPLICA, CLASSIFIER.classify(sql, false).route());
    }

    @org.junit.jupiter.api.Test
    void aSqlStandardFunctionBodyIsOneStatement() {
        Classification c = CLASSIFIER.classify(
                "create function f(x int) returns int language sql begin atomic "
                        + "select case when x > 0 then 1 else 0 end; select 2; end; select 3");
        assertEquals(2, c.statementCount());
        assertEquals(SCHEMA_CHANGE, c.reason());
    }

    @org.junit.jupiter.api.Test
    void savepointsInsideAReadOnlyTransactionFollowIt() {
        Classification c = CLASSIFIER.classify("begin read only; savepoint a; select 1; rollback to a; release a; commit");
        assertEquals(REPLICA, c.route());
        assertEquals(PRIMARY, CLASSIFIER.classify("begin read only; commit; savepoint a").route());
    }

    private static void assertRoute(String sql, Route route, RouteReason reason) {
        Classification classification = CLASSIFIER.classify(sql);
        assertEquals(route, classification.route(), () -> "route of " + sql + ": " + classification);
        assertEquals(reason, classification.reason(), () -> "reason of " + sql + ": " + classification);
    }

    private static Case read(String sql) {
        return new Case(sql, REPLICA, READ_ONLY);
    }

    private static Case primary(String sql, RouteReason reason) {
        return new Case(sql, PRIMARY, reason);
    }

    private record Case(String sql, Route route, RouteReason reason) {
        Case withRoute(Route other) {
            return new Case(sql, other, reason);
        }

        Arguments arguments() {
            return Arguments.of(sql, route, reason);
        }
    }
}
