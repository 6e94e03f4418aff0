package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.LEFT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.QUOTED_IDENTIFIER;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.RIGHT_PAREN;
import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.WORD;

/**
 * SQL-level PREPARE, EXECUTE and DEALLOCATE: the pipeline has to know each name and what its
 * EXECUTEs will do to prepare it lazily on whichever backend runs it (issue 5, rule 5). They are
 * routed to the primary themselves; the pipeline intercepts them.
 */
final class PreparedStatementSyntax {

    private PreparedStatementSyntax() {
    }

    /** PREPARE name [(types)] AS statement: the body is classified for the EXECUTEs to come. */
    static void prepare(StatementAnalyzer statement, SqlLexer lexer) {
        statement.advance();
        if (statement.is("transaction")) {
            statement.primary(RouteReason.TRANSACTION_CONTROL);
            return;
        }
        String name = nameOrNull(lexer);
        if (name == null) {
            statement.scanAndDecide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            return;
        }
        statement.advance();
        if (lexer.kind() == LEFT_PAREN) {
            int typesDepth = lexer.depth();
            do {
                statement.advance();
            } while (!statement.atStatementEnd() && !(lexer.kind() == RIGHT_PAREN && lexer.depth() == typesDepth));
            statement.advance();
        }
        if (!statement.is("as") || statement.atStatementEnd(statement.advance())) {
            statement.scanAndDecide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            return;
        }
        StatementAnalyzer body = statement.nested();
        body.analyze();
        statement.addCommand(new PreparedStatementCommand(PreparedStatementCommand.Kind.PREPARE, name, body.toClassification()));
        statement.decide(Route.PRIMARY, RouteReason.PREPARED_STATEMENT);
    }

    /** EXECUTE name [(arguments)]: the pipeline looks up where the named statement may run. */
    static void execute(StatementAnalyzer statement, SqlLexer lexer) {
        statement.advance();
        String name = nameOrNull(lexer);
        if (name == null) {
            statement.scanAndDecide(Route.PRIMARY, RouteReason.UNKNOWN_STATEMENT);
            return;
        }
        statement.addCommand(new PreparedStatementCommand(PreparedStatementCommand.Kind.EXECUTE, name, null));
        statement.advanceAndScan(); // the arguments may call write functions
        statement.decide(Route.PRIMARY, RouteReason.PREPARED_STATEMENT);
    }

    /** DEALLOCATE [PREPARE] name | ALL. */
    static void deallocate(StatementAnalyzer statement, SqlLexer lexer) {
        statement.advance();
        if (statement.is("prepare")) {
            statement.advance();
        }
        if (statement.is("all")) {
            statement.addCommand(new PreparedStatementCommand(PreparedStatementCommand.Kind.DEALLOCATE_ALL, null, null));
        } else {
            String name = nameOrNull(lexer);
            if (name != null) {
                statement.addCommand(new PreparedStatementCommand(PreparedStatementCommand.Kind.DEALLOCATE, name, null));
            }
        }
        statement.scanAndDecide(Route.PRIMARY, RouteReason.PREPARED_STATEMENT);
    }

    private static String nameOrNull(SqlLexer lexer) {
        SqlTokenKind kind = lexer.kind();
        if (kind != WORD && kind != QUOTED_IDENTIFIER) {
            return null;
        }
        return Identifiers.name(lexer.source(), lexer.start(), lexer.end(), kind == QUOTED_IDENTIFIER);
    }
}
