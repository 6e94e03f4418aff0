package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.END;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.LEFT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.RIGHT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.SEMICOLON;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.WORD;

import java.util.ArrayList;
import java.util.List;

/**
 * Classifies one statement, reading it from a shared {@link SqlLexer}: it starts at the
 * statement's first significant token and stops at the terminating top-level semicolon or the end.
 * The first keyword says what kind of statement it is; one pass over the rest ({@link BodyScan})
 * finds what can turn a read into a write anywhere in it (data-modifying sub-statements, locking
 * clauses, SELECT INTO, calls of write functions). Mutable and reused across the statements of
 * one text, so that a plain SELECT costs no allocation here.
 */
final class StatementAnalyzer {

    private final SqlLexer lexer;
    private final WriteFunctions writeFunctions;
    private final NodeLocalNames nodeLocalNames;
    private final BodyScan scan;

    Route route;
    RouteReason reason;
    boolean beginsTransaction;
    boolean endsTransaction;
    /** A COPY: while one runs the connection is in a copy mode, where nothing may be slipped in. */
    boolean copies;
    boolean readOnlyTransaction;
    boolean setsSessionState;
    int pins;
    /** Null until the statement has one; most have none. */
    List<PreparedStatementCommand> commands;

    StatementAnalyzer(SqlLexer lexer, WriteFunctions writeFunctions, NodeLocalNames nodeLocalNames) {
        this.lexer = lexer;
        this.writeFunctions = writeFunctions;
        this.nodeLocalNames = nodeLocalNames;
        this.scan = new BodyScan(lexer, writeFunctions, nodeLocalNames);
    }

    /** An analyzer for a statement inside this one (PREPARE's body), on the same lexer. */
    StatementAnalyzer nested() {
        return new StatementAnalyzer(lexer, writeFunctions, nodeLocalNames);
    }

    /** Analyzes the statement starting at the lexer's current (significant, non-terminator) token. */
    void analyze() {
        route = null;
        reason = null;
        beginsTransaction = false;
        endsTransaction = false;
        copies = false;
        readOnlyTransaction = false;
        setsSessionState = false;
        pins = 0;
        commands = null;
        scan.reset();
        dispatch();
        pins |= scan.pins;
        if (scan.setConfig) {
            pins |= SessionPin.SET_CONFIG.bit();
        }
    }

    private void dispatch() {
        if (lexer.kind() == LEFT_PAREN) { // (SELECT ...) UNION (SELECT ...)
            scan.run();
            decideQuery();
            return;
        }
        if (lexer.kind() != WORD) {
            scan.run();
            decide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            return;
        }
        if (is("select") || is("values") || is("table") || is("with")) {
            advanceAndScan();
            decideQuery();
        } else if (is("show")) {
            advanceAndScan();
            decide(Route.REPLICA, RouteReason.READ_ONLY);
        } else if (is("explain")) {
            explain();
        } else if (is("copy")) {
            scan.copy = true;
            advanceAndScan();
            decideCopy();
        } else if (is("insert") || is("update") || is("delete") || is("merge") || is("truncate")) {
            primary(RouteReason.WRITE);
        } else if (is("create")) {
            create();
        } else if (is("alter") || is("drop") || is("comment") || is("grant") || is("revoke") || is("security")
                || is("reindex") || is("cluster") || is("refresh") || is("import") || is("reassign")) {
            primary(RouteReason.SCHEMA_CHANGE);
        } else if (is("vacuum") || is("analyze") || is("analyse") || is("checkpoint")) {
            primary(RouteReason.MAINTENANCE);
        } else if (is("call") || is("do")) {
            primary(RouteReason.PROCEDURE);
        } else if (is("lock")) {
            primary(RouteReason.LOCKING);
        } else if (is("listen")) {
            pins |= SessionPin.LISTEN.bit();
            primary(RouteReason.NOTIFICATION);
        } else if (is("notify") || is("unlisten")) {
            primary(RouteReason.NOTIFICATION);
        } else if (is("begin")) {
            beginTransaction();
        } else if (is("start")) {
            advance();
            if (is("transaction")) {
                beginTransaction();
            } else {
                scanAndDecide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            }
        } else if (is("commit") || is("end") || is("rollback") || is("abort")) {
            endTransaction();
        } else if (is("savepoint") || is("release")) {
            primary(RouteReason.TRANSACTION_CONTROL);
        } else if (is("set")) {
            set();
        } else if (is("reset")) {
            setsSessionState = true;
            primary(RouteReason.SESSION_STATE);
        } else if (is("discard")) {
            discard();
        } else if (is("prepare")) {
            PreparedStatementSyntax.prepare(this, lexer);
        } else if (is("execute")) {
            PreparedStatementSyntax.execute(this, lexer);
        } else if (is("deallocate")) {
            PreparedStatementSyntax.deallocate(this, lexer);
        } else if (is("declare")) {
            advanceAndScan();
            if (scan.withHold) {
                pins |= SessionPin.CURSOR_WITH_HOLD.bit();
            }
            decide(Route.PRIMARY, RouteReason.CURSOR);
        } else if (is("fetch") || is("move") || is("close")) {
            primary(RouteReason.CURSOR);
        } else {
            primary(RouteReason.UNKNOWN_STATEMENT);
        }
    }

    /** SELECT, VALUES, TABLE, WITH: a read unless something in it writes or locks. */
    private void decideQuery() {
        if (scan.lockingClause) {
            decide(Route.PRIMARY, RouteReason.LOCKING);
        } else if (scan.modifyingKeyword) {
            decide(Route.PRIMARY, RouteReason.DATA_MODIFYING_SUBSTATEMENT);
        } else if (scan.into) {
            if (scan.intoTemporary) {
                pins |= SessionPin.TEMPORARY_OBJECT.bit();
            }
            decide(Route.PRIMARY, RouteReason.SELECT_INTO);
        } else {
            decide(Route.REPLICA, RouteReason.READ_ONLY);
        }
    }

    /** COPY ... TO STDOUT (of a table or a read-only query) is a read; COPY FROM and COPY TO a file are not. */
    private void decideCopy() {
        copies = true;
        if (scan.lockingClause || scan.modifyingKeyword) {
            decideQuery();
        } else if (scan.copyFrom) {
            decide(Route.PRIMARY, RouteReason.COPY_FROM);
        } else if (scan.copyToStdout) {
            decide(Route.REPLICA, RouteReason.READ_ONLY);
        } else {
            decide(Route.PRIMARY, RouteReason.COPY_TO_SERVER);
        }
    }

    /**
     * Plain EXPLAIN only plans, so it is a read whatever it explains; EXPLAIN ANALYZE runs the
     * statement and routes like it.
     */
    private void explain() {
        boolean analyze = false;
        advance();
        if (lexer.kind() == LEFT_PAREN) {
            int optionsDepth = lexer.depth();
            advance();
            while (!atStatementEnd() && !(lexer.kind() == RIGHT_PAREN && lexer.depth() == optionsDepth)) {
                if (is("analyze") || is("analyse")) {
                    advance();
                    boolean off = is("false") || is("off")
                            || (lexer.kind() == SqlTokenKind.NUMBER && lexer.end() - lexer.start() == 1
                                && lexer.source().charAt(lexer.start()) == '0');
                    analyze |= !off;
                } else {
                    advance();
                }
            }
            advance();
        } else {
            while (is("analyze") || is("analyse") || is("verbose")) {
                analyze |= !is("verbose");
                advance();
            }
        }
        if (atStatementEnd()) {
            decide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            return;
        }
        dispatch();
        if (!analyze) {
            // Nothing runs: no pins, no transaction, no session effect. EXPLAIN EXECUTE still
            // needs the prepared statement where it runs, so the command stays.
            route = Route.REPLICA;
            reason = RouteReason.READ_ONLY;
            beginsTransaction = endsTransaction = readOnlyTransaction = setsSessionState = false;
            pins = 0;
            scan.pins = 0;
            scan.setConfig = false;
        }
    }

    private void create() {
        advance();
        if (is("or")) {
            advance();
            if (is("replace")) {
                advance();
            }
        }
        if (is("global") || is("local")) {
            advance();
        }
        if (is("temp") || is("temporary")) {
            pins |= SessionPin.TEMPORARY_OBJECT.bit();
        }
        scan.run();
        if (scan.temporarySchema) {
            pins |= SessionPin.TEMPORARY_OBJECT.bit();
        }
        decide(Route.PRIMARY, RouteReason.SCHEMA_CHANGE);
    }

    /** BEGIN [WORK | TRANSACTION] [modes] or START TRANSACTION [modes]; the lexer is on BEGIN or TRANSACTION. */
    private void beginTransaction() {
        beginsTransaction = true;
        advance();
        if (is("work") || is("transaction")) {
            advance();
        }
        readOnlyTransaction = transactionModesReadOnly();
        if (readOnlyTransaction) {
            decide(Route.REPLICA, RouteReason.READ_ONLY_TRANSACTION);
        } else {
            decide(Route.PRIMARY, RouteReason.TRANSACTION_CONTROL);
        }
    }

    /** Reads transaction modes to the statement's end; the last of READ ONLY / READ WRITE wins. */
    private boolean transactionModesReadOnly() {
        boolean readOnly = false;
        while (!atStatementEnd()) {
            if (is("read")) {
                advance();
                if (is("only")) {
                    readOnly = true;
                } else if (is("write")) {
                    readOnly = false;
                }
                continue;
            }
            advance();
        }
        return readOnly;
    }

    private void endTransaction() {
        advance();
        if (is("work") || is("transaction")) {
            advance();
        }
        if (is("prepared") || is("to")) { // COMMIT/ROLLBACK PREPARED, ROLLBACK TO SAVEPOINT
            primary(RouteReason.TRANSACTION_CONTROL);
            return;
        }
        endsTransaction = true;
        while (!atStatementEnd()) {
            if (is("no")) {
                advance(); // AND NO CHAIN
            } else if (is("chain")) {
                beginsTransaction = true;
            }
            advance();
        }
        decide(Route.PRIMARY, RouteReason.TRANSACTION_CONTROL);
    }

    private void set() {
        advance();
        if (is("transaction")) {
            advance();
            readOnlyTransaction = transactionModesReadOnly();
            decide(Route.PRIMARY, RouteReason.TRANSACTION_CONTROL);
        } else if (is("local") || is("constraints")) {
            primary(RouteReason.TRANSACTION_CONTROL); // ends with the transaction: nothing to mirror
        } else {
            setsSessionState = true;
            scanAndDecide(Route.PRIMARY, RouteReason.SESSION_STATE);
        }
    }

    private void discard() {
        advance();
        if (is("all")) {
            addCommand(new PreparedStatementCommand(PreparedStatementCommand.Kind.DEALLOCATE_ALL, null, null));
        }
        setsSessionState = true;
        scanAndDecide(Route.PRIMARY, RouteReason.SESSION_STATE);
    }

    /** This statement alone as a {@link Classification}; used for PREPARE bodies. */
    Classification toClassification() {
        return new Classification(route, reason, beginsTransaction, readOnlyTransaction, setsSessionState,
                SessionPin.setOf(pins), commands == null ? List.of() : commands, List.of(), 1,
                TransactionEffect.of(beginsTransaction, endsTransaction), copies);
    }

    void addCommand(PreparedStatementCommand command) {
        if (commands == null) {
            commands = new ArrayList<>(2);
        }
        commands.add(command);
    }

    /** Scans the rest of a statement that needs no more than its first word, then decides. */
    void primary(RouteReason why) {
        advanceAndScan();
        decide(Route.PRIMARY, why);
    }

    void scanAndDecide(Route where, RouteReason why) {
        scan.run();
        decide(where, why);
    }

    void advanceAndScan() {
        advance();
        scan.run();
    }

    /**
     * Settles the route; a write function called anywhere overrides a read, and so does a view or
     * function whose answer belongs to the node it runs on (the session's is the primary).
     */
    void decide(Route where, RouteReason why) {
        if (where == Route.REPLICA && scan.writeFunction) {
            route = Route.PRIMARY;
            reason = RouteReason.WRITE_FUNCTION;
        } else if (where == Route.REPLICA && scan.nodeLocal) {
            route = Route.PRIMARY;
            reason = RouteReason.NODE_LOCAL;
        } else {
            route = where;
            reason = why;
        }
    }

    boolean is(String keyword) {
        return lexer.isWord(keyword);
    }

    SqlTokenKind advance() {
        return atStatementEnd() ? lexer.kind() : lexer.nextSignificant();
    }

    boolean atStatementEnd() {
        return atStatementEnd(lexer.kind());
    }

    boolean atStatementEnd(SqlTokenKind kind) {
        return kind == END || (kind == SEMICOLON && lexer.depth() == 0 && !scan.insideAtomicBody());
    }
}
