package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.COMMA;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.DOT;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.END;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.LEFT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.QUOTED_IDENTIFIER;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.RIGHT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.SEMICOLON;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.WORD;

/**
 * One pass over the rest of a statement, at any parenthesis depth, collecting the facts that can
 * make a statement write whatever its first keyword says: a nested INSERT/UPDATE/DELETE/MERGE (a
 * data-modifying CTE, COPY (DELETE ... RETURNING)), a locking clause, SELECT INTO, calls of write
 * functions. Keywords are matched as tokens, so strings, comments and quoted identifiers never
 * count. It errs towards the primary: an unquoted column named {@code update} counts as a write.
 */
final class BodyScan {

    private final SqlLexer lexer;
    private final WriteFunctions writeFunctions;
    private final NodeLocalNames nodeLocalNames;

    /** Set by the caller before {@link #run()}: look for COPY's top-level FROM and TO STDOUT. */
    boolean copy;

    boolean modifyingKeyword;
    boolean lockingClause;
    boolean into;
    boolean intoTemporary;
    boolean temporarySchema;
    boolean withHold;
    boolean copyFrom;
    boolean copyToStdout;
    boolean writeFunction;
    boolean setConfig;
    /** A view or function whose answer belongs to the node that runs it (statistics, locks, pid). */
    boolean nodeLocal;
    int pins;

    /** Inside a SQL-standard function body (BEGIN ATOMIC ... END), where ';' does not end the statement. */
    private int atomicNesting;

    // The three previous significant tokens, newest first: enough for schema.function( and FOR/WITH/BEGIN checks.
    private SqlTokenKind kind1;
    private SqlTokenKind kind2;
    private SqlTokenKind kind3;
    private int start1;
    private int end1;
    private int start2;
    private int end2;
    private int start3;
    private int end3;

    BodyScan(SqlLexer lexer, WriteFunctions writeFunctions, NodeLocalNames nodeLocalNames) {
        this.lexer = lexer;
        this.writeFunctions = writeFunctions;
        this.nodeLocalNames = nodeLocalNames;
    }

    void reset() {
        copy = modifyingKeyword = lockingClause = into = intoTemporary = temporarySchema = withHold = false;
        copyFrom = copyToStdout = writeFunction = setConfig = nodeLocal = false;
        pins = 0;
        atomicNesting = 0;
        kind1 = kind2 = kind3 = END;
    }

    boolean insideAtomicBody() {
        return atomicNesting > 0;
    }

    /** Scans from the lexer's current token to the statement's terminator (left current). */
    void run() {
        for (SqlTokenKind kind = lexer.kind(); ; kind = lexer.nextSignificant()) {
            if (kind == END || (kind == SEMICOLON && lexer.depth() == 0 && atomicNesting == 0)) {
                return;
            }
            if (kind == WORD) {
                onWord();
            } else if (kind == LEFT_PAREN && (kind1 == WORD || kind1 == QUOTED_IDENTIFIER)) {
                onCall();
            }
            if ((kind == WORD || kind == QUOTED_IDENTIFIER) && !nodeLocal) {
                nodeLocal = nodeLocalNames.matches(lexer.source(), lexer.start(), lexer.end(), kind == QUOTED_IDENTIFIER);
            }
            kind3 = kind2;
            start3 = start2;
            end3 = end2;
            kind2 = kind1;
            start2 = start1;
            end2 = end1;
            kind1 = kind;
            start1 = lexer.start();
            end1 = lexer.end();
        }
    }

    private void onWord() {
        CharSequence sql = lexer.source();
        switch (Identifiers.lower(sql.charAt(lexer.start()))) {
            case 'i' -> {
                if (is("insert")) {
                    modifyingKeyword = true;
                } else if (is("into")) {
                    into = true;
                    intoTemporary |= nextWordsTemporary();
                }
            }
            case 'u' -> {
                // FOR UPDATE and FOR NO KEY UPDATE are locking clauses, found at FOR.
                if (is("update") && !previousWordIs("for") && !previousWordIs("key")) {
                    modifyingKeyword = true;
                }
            }
            case 'd' -> modifyingKeyword |= is("delete");
            case 'm' -> modifyingKeyword |= is("merge");
            case 'f' -> {
                if (is("for")) {
                    lockingClause |= nextWordIsLockStrength();
                } else if (copy && is("from") && lexer.depth() == 0) {
                    copyFrom = true;
                }
            }
            case 't' -> {
                if (copy && is("to") && lexer.depth() == 0) {
                    copyToStdout |= nextWordIs("stdout");
                }
            }
            case 'p' -> temporarySchema |= is("pg_temp");
            case 'h' -> withHold |= is("hold") && previousWordIs("with");
            case 'a' -> {
                if (atomicNesting == 0 && is("atomic") && previousWordIs("begin")) {
                    atomicNesting = 1;
                }
            }
            case 'c' -> {
                if (atomicNesting > 0 && is("case")) {
                    atomicNesting++;
                }
            }
            case 'e' -> {
                if (atomicNesting > 0 && is("end")) {
                    atomicNesting--;
                }
            }
            default -> { }
        }
    }

    /** At the '(' after a name: is it a call of a function that writes? */
    private void onCall() {
        CharSequence sql = lexer.source();
        boolean qualified = kind2 == DOT && (kind3 == WORD || kind3 == QUOTED_IDENTIFIER);
        WriteFunctions.Effect effect = writeFunctions.effectOf(sql, start1, end1, kind1 == QUOTED_IDENTIFIER,
                qualified ? start3 : -1, qualified ? end3 : -1, kind3 == QUOTED_IDENTIFIER);
        switch (effect) {
            case NONE -> { }
            case WRITES -> writeFunction = true;
            case SESSION_ADVISORY_LOCK -> {
                writeFunction = true;
                pins |= SessionPin.ADVISORY_LOCK.bit();
            }
            case SET_CONFIG -> {
                writeFunction = true;
                setConfig |= !thirdArgumentIsTrue();
            }
        }
    }

    /** set_config(name, value, true) is transaction-local; anything else may change the session. */
    private boolean thirdArgumentIsTrue() {
        long mark = lexer.mark();
        int argumentDepth = lexer.depth() + 1;
        int commas = 0;
        int thirdTokens = 0;
        boolean thirdIsTrue = false;
        for (SqlTokenKind kind = lexer.nextSignificant(); kind != END; kind = lexer.nextSignificant()) {
            if (kind == RIGHT_PAREN && lexer.depth() < argumentDepth) {
                break;
            }
            if (kind == COMMA && lexer.depth() == argumentDepth) {
                commas++;
            } else if (commas == 2) {
                thirdTokens++;
                thirdIsTrue = lexer.isWord("true");
            }
        }
        lexer.reset(mark);
        return commas == 2 && thirdTokens == 1 && thirdIsTrue;
    }

    private boolean nextWordsTemporary() {
        long mark = lexer.mark();
        lexer.nextSignificant();
        if (lexer.isWord("global") || lexer.isWord("local")) {
            lexer.nextSignificant();
        }
        boolean temporary = lexer.isWord("temp") || lexer.isWord("temporary");
        lexer.reset(mark);
        return temporary;
    }

    private boolean nextWordIsLockStrength() {
        long mark = lexer.mark();
        lexer.nextSignificant();
        // FOR UPDATE, FOR SHARE, FOR NO KEY UPDATE, FOR KEY SHARE; not SUBSTRING(s FROM 1 FOR key).
        boolean lock = lexer.isWord("update") || lexer.isWord("share");
        if (lexer.isWord("no")) {
            lexer.nextSignificant();
            lock = lexer.isWord("key");
        } else if (lexer.isWord("key")) {
            lexer.nextSignificant();
            lock = lexer.isWord("share");
        }
        lexer.reset(mark);
        return lock;
    }

    private boolean nextWordIs(String keyword) {
        long mark = lexer.mark();
        lexer.nextSignificant();
        boolean matches = lexer.isWord(keyword);
        lexer.reset(mark);
        return matches;
    }

    private boolean previousWordIs(String keyword) {
        return kind1 == WORD && Identifiers.wordEquals(lexer.source(), start1, end1, keyword);
    }

    private boolean is(String keyword) {
        return lexer.isWord(keyword);
    }
}
