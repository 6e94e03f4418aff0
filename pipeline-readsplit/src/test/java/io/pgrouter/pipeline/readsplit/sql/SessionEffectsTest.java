package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand.Kind.DEALLOCATE;
import static io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand.Kind.DEALLOCATE_ALL;
import static io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand.Kind.EXECUTE;
import static io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand.Kind.PREPARE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The flags, pins and commands the pipeline needs beyond the route (issue 5 rules 4 and 5). */
class SessionEffectsTest {

    private static final StatementClassifier CLASSIFIER = new StatementClassifier();

    private static Classification classify(String sql) {
        return CLASSIFIER.classify(sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"begin", "BEGIN WORK", "begin transaction", "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "start transaction", "START TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            "begin read write", "begin; select 1; commit", "select 1; begin", "commit and chain",
            "/* pgrouter:replica */ begin"})
    void beginsAReadWriteTransaction(String sql) {
        Classification c = classify(sql);
        assertTrue(c.beginsTransaction(), sql);
        assertFalse(c.readOnlyTransaction(), sql);
        assertEquals(Route.PRIMARY, c.route(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"begin read only", "BEGIN TRANSACTION READ ONLY", "start transaction read only",
            "begin isolation level serializable, read only, deferrable", "begin read write, read only",
            "begin read only; select 1; commit", "BEGIN READ ONLY; SELECT * FROM t; END;"})
    void readOnlyTransactionsMayRunWholeOnAReplica(String sql) {
        Classification c = classify(sql);
        assertTrue(c.beginsTransaction(), sql);
        assertTrue(c.readOnlyTransaction(), sql);
        assertEquals(Route.REPLICA, c.route(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"begin read only, read write", "begin isolation level read committed",
            "commit", "rollback", "commit and no chain", "select 1", "set transaction isolation level serializable"})
    void notReadOnlyTransactions(String sql) {
        assertFalse(classify(sql).readOnlyTransaction(), sql);
    }

    @Test
    void aWriteInsideAReadOnlyTransactionStillGoesToThePrimary() {
        assertEquals(Route.PRIMARY, classify("begin read only; insert into t values (1); commit").route());
    }

    @Test
    void setTransactionReadOnlyMarksTheTransactionReadOnlyWithoutBeginningOne() {
        Classification c = classify("SET TRANSACTION READ ONLY");
        assertTrue(c.readOnlyTransaction());
        assertFalse(c.beginsTransaction());
        assertFalse(c.setsSessionState());
    }

    @Test
    void commitAloneEndsNothingTheClassifierCanSeeAndStaysOnThePrimary() {
        Classification c = classify("commit");
        assertFalse(c.beginsTransaction());
        assertEquals(Route.PRIMARY, c.route());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "set search_path to a, b|set search_path to a, b",
            "SET TIME ZONE 'UTC'|SET TIME ZONE 'UTC'",
            "set session statement_timeout = 0;|set session statement_timeout = 0",
            "/* c */ set application_name = 'x;y' ; select 1|set application_name = 'x;y'",
            "set session characteristics as transaction read only|set session characteristics as transaction read only",
            "set role admin|set role admin",
            "reset all|reset all",
            "RESET search_path|RESET search_path",
            "discard all|discard all",
            "discard temp|discard temp",
    })
    void sessionStateStatementsAreReportedForReplay(String sql, String command) {
        Classification c = classify(sql);
        assertTrue(c.setsSessionState(), sql);
        assertEquals(List.of(command), c.sessionStateCommands(), sql);
        assertEquals(Route.PRIMARY, c.route());
    }

    @Test
    void everySessionStateStatementOfAMultiStatementIsReported() {
        Classification c = classify("set a = 1; select 1; set b = '2'; reset c");
        assertEquals(List.of("set a = 1", "set b = '2'", "reset c"), c.sessionStateCommands());
        assertEquals(4, c.statementCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"set local search_path to a", "SET LOCAL statement_timeout = 0",
            "set transaction read only", "set constraints all deferred", "select 'set a = 1'",
            "show search_path", "select current_setting('search_path')"})
    void transactionScopedOrReadOnlyStatementsDoNotSetSessionState(String sql) {
        Classification c = classify(sql);
        assertFalse(c.setsSessionState(), sql);
        assertTrue(c.sessionStateCommands().isEmpty(), sql);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "create temp table t (a int)|TEMPORARY_OBJECT",
            "CREATE TEMPORARY TABLE t AS SELECT 1|TEMPORARY_OBJECT",
            "create local temp table t (a int)|TEMPORARY_OBJECT",
            "create global temporary table t (a int)|TEMPORARY_OBJECT",
            "create temp view v as select 1|TEMPORARY_OBJECT",
            "create temporary sequence s|TEMPORARY_OBJECT",
            "create or replace temp view v as select 1|TEMPORARY_OBJECT",
            "create table pg_temp.t (a int)|TEMPORARY_OBJECT",
            "select * into temp t from u|TEMPORARY_OBJECT",
            "select * into temporary table t from u|TEMPORARY_OBJECT",
            "listen channel|LISTEN",
            "LISTEN \"Channel\"|LISTEN",
            "declare c cursor with hold for select 1|CURSOR_WITH_HOLD",
            "DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT * FROM t|CURSOR_WITH_HOLD",
            "select pg_advisory_lock(1)|ADVISORY_LOCK",
            "select pg_advisory_lock_shared(1, 2)|ADVISORY_LOCK",
            "select pg_try_advisory_lock(1)|ADVISORY_LOCK",
            "select pg_catalog.pg_try_advisory_lock_shared(1)|ADVISORY_LOCK",
            "select * from t where pg_advisory_lock(id) is not null|ADVISORY_LOCK",
            "select set_config('search_path', 'a', false)|SET_CONFIG",
            "select set_config('a.b', 'c', $1)|SET_CONFIG",
            "select set_config('a.b', 'c', not true)|SET_CONFIG",
            "select 1; create temp table t (a int)|TEMPORARY_OBJECT",
    })
    void statementsThatPinTheSession(String sql, SessionPin pin) {
        Classification c = classify(sql);
        assertEquals(Set.of(pin), c.sessionPins(), sql);
        assertTrue(c.pinsSession(), sql);
        assertEquals(Route.PRIMARY, c.route(), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"create table t (temp int)", "select temp into t from weather",
            "declare c cursor without hold for select 1", "declare c cursor for select 1",
            "select pg_advisory_xact_lock(1)", "select pg_try_advisory_xact_lock_shared(1)",
            "select pg_advisory_unlock(1)", "select pg_advisory_unlock_all()",
            "select set_config('a.b', 'c', true)", "select set_config('a.b', 'c', TRUE)",
            "notify c", "unlisten c", "select 'listen c'", "explain select pg_advisory_lock(1)",
            "explain select set_config('a', 'b', false)", "prepare p as select pg_advisory_lock(1)"})
    void statementsThatDoNotPinTheSession(String sql) {
        assertEquals(Set.of(), classify(sql).sessionPins(), sql);
    }

    @Test
    void explainAnalyzeRunsTheStatementSoItsPinsCount() {
        assertEquals(Set.of(SessionPin.ADVISORY_LOCK), classify("explain analyze select pg_advisory_lock(1)").sessionPins());
    }

    @Test
    void prepareReportsTheNameAndTheBodyItsExecutesWillRun() {
        Classification c = classify("PREPARE Fetch_User (int, text) AS SELECT * FROM users WHERE id = $1");
        assertEquals(Route.PRIMARY, c.route());
        PreparedStatementCommand prepare = c.preparedStatementCommands().get(0);
        assertEquals(PREPARE, prepare.kind());
        assertEquals("fetch_user", prepare.name());
        assertEquals(Route.REPLICA, prepare.body().route());
        assertEquals(1, c.preparedStatementCommands().size());
    }

    @Test
    void aPreparedWriteIsAWriteWhenExecuted() {
        PreparedStatementCommand prepare = classify("prepare ins as insert into t values ($1)").preparedStatementCommands().get(0);
        assertEquals(Route.PRIMARY, prepare.body().route());
        assertEquals(RouteReason.WRITE, prepare.body().reason());
        PreparedStatementCommand locks = classify("prepare l as select pg_advisory_lock(1)").preparedStatementCommands().get(0);
        assertEquals(Set.of(SessionPin.ADVISORY_LOCK), locks.body().sessionPins());
    }

    @Test
    void quotedPreparedStatementNamesKeepTheirCase() {
        Classification c = classify("prepare \"My\"\"Stmt\" as select 1; execute \"My\"\"Stmt\"; deallocate prepare \"My\"\"Stmt\"");
        List<PreparedStatementCommand> commands = c.preparedStatementCommands();
        assertEquals(3, commands.size());
        assertEquals(List.of(PREPARE, EXECUTE, DEALLOCATE), commands.stream().map(PreparedStatementCommand::kind).toList());
        commands.forEach(command -> assertEquals("My\"Stmt", command.name()));
    }

    @Test
    void executeReportsItsNameAndTheArgumentsStillCount() {
        Classification c = classify("EXECUTE p(1, 'x')");
        assertEquals(List.of(new PreparedStatementCommand(EXECUTE, "p", null)), c.preparedStatementCommands());
        assertEquals(RouteReason.PREPARED_STATEMENT, c.reason());
        assertEquals(Set.of(SessionPin.ADVISORY_LOCK), classify("execute p(pg_advisory_lock(1))").sessionPins());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deallocate all", "DEALLOCATE PREPARE ALL", "discard all"})
    void deallocateAll(String sql) {
        PreparedStatementCommand command = classify(sql).preparedStatementCommands().get(0);
        assertEquals(DEALLOCATE_ALL, command.kind());
        assertNull(command.name());
    }

    @Test
    void plainExplainOfExecuteKeepsTheCommandButRunsNothing() {
        Classification c = classify("explain execute p(1)");
        assertEquals(Route.REPLICA, c.route());
        assertEquals(EXECUTE, c.preparedStatementCommands().get(0).kind());
    }

    @Test
    void preparedStatementTextInStringsIsNotACommand() {
        assertTrue(classify("select 'prepare p as select 1'").preparedStatementCommands().isEmpty());
        assertTrue(classify("prepare transaction 'x'").preparedStatementCommands().isEmpty());
    }

    @Test
    void semicolonsInsideParenthesesDoNotSplitStatements() {
        assertEquals(2, classify("create rule r as on insert to t do also (insert into u values (1); delete from v); select 1").statementCount());
    }

    @Test
    void statementCountSkipsEmptyStatements() {
        assertEquals(3, classify(";select 1;; select 2 ; /* c */ ; select 3;").statementCount());
        assertEquals(0, classify(" ; -- nothing").statementCount());
    }
}
