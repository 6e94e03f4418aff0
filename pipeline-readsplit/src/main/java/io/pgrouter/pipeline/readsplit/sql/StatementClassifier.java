package io.pgrouter.pipeline.readsplit.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Decides where the SQL text of a simple-protocol Query or an extended-protocol Parse may run
 * (issue 5, rules 2 and 7; the rules as users see them are in docs/routing.md).
 *
 * <p>Reads (SELECT, VALUES, TABLE, SHOW, read-only WITH, plain EXPLAIN, COPY ... TO STDOUT) may go
 * to a replica; everything else, and anything the lexer is unsure of, goes to the primary. A
 * multi-statement string goes to the primary if any of its statements does. A leading comment
 * {@code /* pgrouter:primary *}{@code /} forces the primary; {@code /* pgrouter:replica *}{@code /}
 * moves a statement the classifier is merely unsure of (an unknown statement, CALL, DO) to a
 * replica, never one known to write.
 *
 * <p>Immutable and thread-safe. Classifying a single plain statement allocates only the lexer,
 * the analyzer and the result; the text is read in place.
 */
public final class StatementClassifier {

    private static final String PRIMARY_HINT = "pgrouter:primary";
    private static final String REPLICA_HINT = "pgrouter:replica";

    private final WriteFunctions writeFunctions;
    private final NodeLocalNames nodeLocalNames;

    /** A classifier knowing only the built-in write functions. */
    public StatementClassifier() {
        this(List.of());
    }

    /**
     * @param extraWriteFunctions more functions whose call sends a statement to the primary, as
     *        {@code name} or {@code schema.name}, case-insensitive unless double-quoted; a
     *        qualified name also matches unqualified calls, which may resolve to it
     * @throws IllegalArgumentException if an entry is not a function name
     */
    public StatementClassifier(Collection<String> extraWriteFunctions) {
        this(extraWriteFunctions, List.of());
    }

    /**
     * @param extraNodeLocal more views or functions whose answer belongs to the node that runs
     *        them: a read naming one runs on the primary, where the session lives
     * @throws IllegalArgumentException if an entry is not a name
     */
    public StatementClassifier(Collection<String> extraWriteFunctions, Collection<String> extraNodeLocal) {
        this.writeFunctions = new WriteFunctions(extraWriteFunctions);
        this.nodeLocalNames = new NodeLocalNames(extraNodeLocal);
    }

    /** Classifies {@code sql} assuming standard_conforming_strings is on, PostgreSQL's default. */
    public Classification classify(CharSequence sql) {
        return classify(sql, true);
    }

    /**
     * Classifies {@code sql}; never throws on any text.
     *
     * @param standardConformingStrings the session's standard_conforming_strings: when off,
     *        backslashes escape quotes in plain string constants too
     */
    public Classification classify(CharSequence sql, boolean standardConformingStrings) {
        SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
        StatementAnalyzer statement = new StatementAnalyzer(lexer, writeFunctions, nodeLocalNames);
        Route route = null;
        RouteReason reason = RouteReason.EMPTY;
        boolean beginsTransaction = false;
        boolean readOnlyTransaction = false;
        boolean setsSessionState = false;
        boolean insideReadOnlyTransaction = false;
        int pins = 0;
        List<PreparedStatementCommand> commands = null;
        List<String> sessionStateCommands = null;
        int statementCount = 0;
        TransactionEffect transactionEffect = TransactionEffect.NONE;
        boolean copies = false;

        while (true) {
            RouteReason hint = null;
            SqlTokenKind kind = lexer.next();
            for (; kind == SqlTokenKind.COMMENT; kind = lexer.next()) {
                hint = hintIn(lexer, hint);
            }
            if (kind == SqlTokenKind.END) {
                break;
            }
            if (kind == SqlTokenKind.SEMICOLON) {
                continue;
            }
            int statementStart = lexer.start();
            statement.analyze();
            statementCount++;
            applyHint(statement, hint);

            Route statementRoute = statement.route;
            if (insideReadOnlyTransaction && statement.reason == RouteReason.TRANSACTION_CONTROL) {
                // BEGIN READ ONLY; ...; SAVEPOINT/RELEASE/COMMIT may run whole on a replica: they follow the BEGIN.
                statementRoute = Route.REPLICA;
                insideReadOnlyTransaction = !statement.endsTransaction;
            }
            if (statement.beginsTransaction) {
                insideReadOnlyTransaction = statement.readOnlyTransaction;
            }
            if (route == null || (route == Route.REPLICA && statementRoute == Route.PRIMARY)) {
                route = statementRoute;
                reason = statement.reason;
            }
            beginsTransaction |= statement.beginsTransaction;
            transactionEffect = transactionEffect.then(TransactionEffect.of(statement.beginsTransaction,
                    statement.endsTransaction));
            copies |= statement.copies;
            readOnlyTransaction |= statement.readOnlyTransaction;
            pins |= statement.pins;
            if (statement.commands != null) {
                if (commands == null) {
                    commands = new ArrayList<>(statement.commands.size());
                }
                commands.addAll(statement.commands);
            }
            if (statement.setsSessionState) {
                setsSessionState = true;
                if (sessionStateCommands == null) {
                    sessionStateCommands = new ArrayList<>(2);
                }
                sessionStateCommands.add(sql.subSequence(statementStart, lexer.start()).toString().strip());
            }
            if (lexer.kind() == SqlTokenKind.END) {
                break;
            }
        }
        if (lexer.malformed()) {
            route = Route.PRIMARY;
            reason = RouteReason.MALFORMED_INPUT;
        } else if (route == null) {
            route = Route.PRIMARY; // nothing to run: stay where the session already has a connection
        }
        return new Classification(route, reason, beginsTransaction, readOnlyTransaction, setsSessionState,
                SessionPin.setOf(pins), commands == null ? List.of() : commands,
                sessionStateCommands == null ? List.of() : sessionStateCommands, statementCount, transactionEffect,
                copies);
    }

    /** A hint comment among a statement's leading comments; a primary hint wins over a replica hint. */
    private static RouteReason hintIn(SqlLexer lexer, RouteReason hintSoFar) {
        CharSequence sql = lexer.source();
        int from = lexer.start() + 2;
        int to = sql.charAt(lexer.start()) == '/' ? lexer.end() - 2 : lexer.end();
        while (from < to && Character.isWhitespace(sql.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(sql.charAt(to - 1))) {
            to--;
        }
        if (regionEqualsIgnoreCase(sql, from, to, PRIMARY_HINT)) {
            return RouteReason.HINT_PRIMARY;
        }
        if (hintSoFar == null && regionEqualsIgnoreCase(sql, from, to, REPLICA_HINT)) {
            return RouteReason.HINT_REPLICA;
        }
        return hintSoFar;
    }

    private static void applyHint(StatementAnalyzer statement, RouteReason hint) {
        if (hint == RouteReason.HINT_PRIMARY) {
            statement.route = Route.PRIMARY;
            statement.reason = hint;
        } else if (hint == RouteReason.HINT_REPLICA && statement.route == Route.PRIMARY
                && statement.reason.replicaHintHonoured()) {
            statement.route = Route.REPLICA;
            statement.reason = hint;
        }
    }

    private static boolean regionEqualsIgnoreCase(CharSequence sql, int from, int to, String lowerCase) {
        return to - from == lowerCase.length() && Identifiers.wordEquals(sql, from, to, lowerCase);
    }
}
