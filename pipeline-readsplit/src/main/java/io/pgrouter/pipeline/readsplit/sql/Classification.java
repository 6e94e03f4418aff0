package io.pgrouter.pipeline.readsplit.sql;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link StatementClassifier} found in one Query string or Parse statement text. For a
 * multi-statement string everything is combined: the route is the primary if any statement needs
 * it, and the flags, pins and commands are those of all statements, in order.
 *
 * @param route               where the text may run
 * @param reason              why (for debug logs)
 * @param beginsTransaction   a BEGIN or START TRANSACTION (or COMMIT/ROLLBACK AND CHAIN) is in the text
 * @param readOnlyTransaction BEGIN/START TRANSACTION ... READ ONLY or SET TRANSACTION ... READ ONLY is in the text
 * @param setsSessionState    SET/RESET/DISCARD that outlives the transaction (not SET LOCAL, SET TRANSACTION, SET CONSTRAINTS)
 * @param sessionPins         session state that cannot be mirrored and pins the session to the primary
 * @param preparedStatementCommands SQL-level PREPARE/EXECUTE/DEALLOCATE commands, in order
 * @param sessionStateCommands the text of each SET/RESET/DISCARD statement counted in
 *                            {@code setsSessionState}, without leading comments or the terminating
 *                            semicolon, ready to be replayed on the session's other backends
 * @param statementCount      the number of non-empty statements in the text
 * @param transactionEffect   whether a transaction is open after the text ran, as far as its own
 *                            BEGIN/COMMIT/ROLLBACK say
 * @param copies              a COPY is in the text (the connection then goes through a copy mode)
 */
public record Classification(
        Route route,
        RouteReason reason,
        boolean beginsTransaction,
        boolean readOnlyTransaction,
        boolean setsSessionState,
        Set<SessionPin> sessionPins,
        List<PreparedStatementCommand> preparedStatementCommands,
        List<String> sessionStateCommands,
        int statementCount,
        TransactionEffect transactionEffect,
        boolean copies) {

    public Classification {
        Objects.requireNonNull(transactionEffect, "transactionEffect");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(reason, "reason");
        sessionPins = Set.copyOf(sessionPins);
        preparedStatementCommands = List.copyOf(preparedStatementCommands);
        sessionStateCommands = List.copyOf(sessionStateCommands);
    }

    /** Whether the text creates session state that pins the session to the primary. */
    public boolean pinsSession() {
        return !sessionPins.isEmpty();
    }

    /** Whether a replica may run the text. */
    public boolean replicaEligible() {
        return route == Route.REPLICA;
    }
}
