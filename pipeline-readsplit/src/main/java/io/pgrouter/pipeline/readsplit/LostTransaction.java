package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.BIND;
import static io.pgrouter.spi.protocol.MessageType.Frontend.CLOSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.DESCRIBE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.FLUSH;
import static io.pgrouter.spi.protocol.MessageType.Frontend.FUNCTION_CALL;
import static io.pgrouter.spi.protocol.MessageType.Frontend.PARSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.QUERY;
import static io.pgrouter.spi.protocol.MessageType.Frontend.SYNC;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.pipeline.readsplit.sql.TransactionEffect;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A transaction block whose primary went away: pgrouter answers the client itself, as
 * PostgreSQL answers in a failed transaction, until the client ends the block. The client hears
 * of the loss once: at the statement that was running (see {@link PrimaryLink}), or else with a
 * 40001 (serialization_failure: drivers and frameworks retry the whole transaction on it, which is
 * what the application should do, on the new primary) at its next message. After that every
 * statement gets 25P02 with ReadyForQuery 'E', and ROLLBACK (or COMMIT, END, ABORT) gets
 * "ROLLBACK" with ReadyForQuery 'I': the session goes on, idle, with its settings moved.
 *
 * <p>An extended-protocol group is answered message by message, as PostgreSQL would: one that
 * ends the block gets its ParseComplete, BindComplete, NoData and CommandComplete; any other gets
 * one ErrorResponse and nothing more until its Sync, which gets ReadyForQuery 'E'.
 */
final class LostTransaction {
    /** Where the client is in the lost block. */
    private sealed interface Phase {
    }

    /** No lost transaction: the session routes as usual. */
    private record Inactive() implements Phase {
    }

    /** The block was lost while the client waited for nothing: it has not been told. */
    private record Unannounced(Endpoint primary) implements Phase {
    }

    /** The client knows the block failed; it must end it. */
    private record Aborted() implements Phase {
    }

    /** Within an extended-protocol group, up to its Sync. */
    private enum Group {
        /** No group begun. */
        NONE,
        /** A group ending the block: each message gets its ordinary answer. */
        ENDING,
        /** A group that got its error: the rest is skipped up to the Sync. */
        SKIPPING,
        /** The block ended within the group with an error (an unannounced COMMIT): skip, then 'I'. */
        SKIPPING_ENDED
    }

    private static final Phase INACTIVE = new Inactive();

    private final Session session;
    private final StatementClassifier classifier;
    private final BooleanSupplier standardStrings;
    /** What each named statement does to the transaction, as the session keeps it. */
    private final Map<String, TransactionEffect> namedEffects;
    /** Told of each named Parse pgrouter answers ParseComplete to: the statement must exist from now on. */
    private final Consumer<ByteBuf> namedParsed;
    /** Named statements parsed here that end the block (drivers parse ROLLBACK as a named statement). */
    private final Map<String, Ending> endingStatements = new HashMap<>();
    private Phase phase = INACTIVE;
    private Group group = Group.NONE;

    /**
     * @param namedParsed given (a reference to) each named Parse answered with ParseComplete,
     *     which the session then keeps for its primary
     */
    LostTransaction(Session session, StatementClassifier classifier, BooleanSupplier standardStrings,
            Map<String, TransactionEffect> namedEffects, Consumer<ByteBuf> namedParsed) {
        this.session = session;
        this.classifier = classifier;
        this.standardStrings = standardStrings;
        this.namedEffects = namedEffects;
        this.namedParsed = namedParsed;
    }

    /**
     * The primary went away inside the client's transaction block.
     *
     * @param announced the statement running then got an error: the client knows
     */
    void lost(Endpoint primary, boolean announced) {
        phase = announced ? new Aborted() : new Unannounced(primary);
        group = Group.NONE;
    }

    /** Whether pgrouter answers the client's messages itself. */
    boolean active() {
        return !(phase instanceof Inactive);
    }

    /** A client message inside the lost block (not a Terminate): answered here, released. */
    void client(ByteBuf message) {
        try {
            byte type = Messages.type(message);
            switch (type) {
                case QUERY -> query(FrontendMessages.queryText(message));
                case PARSE -> parse(message);
                case BIND -> groupMessage(type, bindEnds(message), message);
                case DESCRIBE, EXECUTE, CLOSE -> groupMessage(type, Ending.UNKNOWN, message);
                case SYNC -> sync();
                case FLUSH -> {
                    // answers go out as they are made: nothing to flush
                }
                case FUNCTION_CALL -> {
                    toClient(failure());
                    ready(BackendMessages.FAILED_TRANSACTION);
                }
                default -> {
                    // CopyData and kin: no copy runs, nothing to answer
                }
            }
        } finally {
            message.release();
        }
    }

    /** What a statement does to the lost block. */
    private enum Ending {
        /** ROLLBACK or ABORT: ends it, quietly. */
        ROLLBACK,
        /** COMMIT or END: ends it, as a rollback (and an error if the client did not know). */
        COMMIT,
        /** Anything else. */
        NO,
        /** Not a statement (Describe, Execute, Close): follows the group. */
        UNKNOWN
    }

    private void parse(ByteBuf message) {
        Ending ending = endsBlock(FrontendMessages.parseText(message));
        groupMessage(PARSE, ending, message);
        String name = FrontendMessages.name(message);
        if (group == Group.ENDING && name != null && !name.isEmpty()) {
            endingStatements.put(name, ending);
            namedParsed.accept(message.retain());
        }
    }

    private Ending endsBlock(String text) {
        Classification c = classifier.classify(text, standardStrings.getAsBoolean());
        if (c.transactionEffect() != TransactionEffect.CLOSES || c.statementCount() != 1) {
            return Ending.NO;
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("rollback") || lower.startsWith("abort") ? Ending.ROLLBACK : Ending.COMMIT;
    }

    private Ending bindEnds(ByteBuf bind) {
        String statement = FrontendMessages.bindStatement(bind);
        if (statement == null || statement.isEmpty()) {
            return group == Group.ENDING ? Ending.UNKNOWN : Ending.NO; // the unnamed one this group parsed, or older
        }
        Ending parsedHere = endingStatements.get(statement);
        if (parsedHere != null) {
            return parsedHere;
        }
        return namedEffects.get(statement) == TransactionEffect.CLOSES ? Ending.COMMIT : Ending.NO;
    }

    private void query(String text) {
        switch (endsBlock(text)) {
            case ROLLBACK -> rolledBack(true);
            case COMMIT -> {
                if (phase instanceof Unannounced) {
                    toClient(failure());
                    ready(BackendMessages.IDLE);
                    phase = INACTIVE;
                } else {
                    rolledBack(true);
                }
            }
            default -> {
                toClient(failure());
                phase = new Aborted();
                ready(BackendMessages.FAILED_TRANSACTION);
            }
        }
    }

    /** The block ends as PostgreSQL ends a failed one: "ROLLBACK", and idle at the ReadyForQuery. */
    private void rolledBack(boolean ready) {
        toClient(BackendMessages.commandComplete(session.alloc(), "ROLLBACK"));
        if (ready) {
            ready(BackendMessages.IDLE);
            phase = INACTIVE;
        }
    }

    private void groupMessage(byte type, Ending ending, ByteBuf message) {
        if (group == Group.SKIPPING || group == Group.SKIPPING_ENDED) {
            return;
        }
        if (group == Group.NONE) {
            if (ending == Ending.COMMIT && phase instanceof Unannounced) {
                toClient(failure());
                group = Group.SKIPPING_ENDED;
                return;
            }
            group = ending == Ending.ROLLBACK || ending == Ending.COMMIT ? Group.ENDING : Group.SKIPPING;
            if (group == Group.SKIPPING) {
                toClient(failure());
                return;
            }
        } else if (ending == Ending.NO) {
            toClient(failure()); // a second statement after the one ending the block: it is not run
            group = Group.SKIPPING_ENDED;
            return;
        }
        switch (type) {
            case PARSE -> toClient(BackendMessages.bodiless(session.alloc(), MessageType.Backend.PARSE_COMPLETE));
            case BIND -> toClient(BackendMessages.bodiless(session.alloc(), MessageType.Backend.BIND_COMPLETE));
            case DESCRIBE -> {
                if (FrontendMessages.target(message) == FrontendMessages.STATEMENT) {
                    toClient(session.alloc().buffer(7).writeByte(MessageType.Backend.PARAMETER_DESCRIPTION).writeInt(6)
                            .writeShort(0));
                }
                toClient(BackendMessages.bodiless(session.alloc(), MessageType.Backend.NO_DATA));
            }
            case EXECUTE -> rolledBack(false);
            case CLOSE -> toClient(BackendMessages.bodiless(session.alloc(), MessageType.Backend.CLOSE_COMPLETE));
            default -> throw new IllegalStateException("not a group message: " + (char) type);
        }
    }

    private void sync() {
        Group was = group;
        group = Group.NONE;
        if (was == Group.ENDING || was == Group.SKIPPING_ENDED) {
            phase = INACTIVE;
            ready(BackendMessages.IDLE);
            return;
        }
        if (was == Group.NONE && phase instanceof Unannounced) {
            toClient(failure()); // a bare Sync: the client learns of it here
        }
        phase = new Aborted();
        ready(BackendMessages.FAILED_TRANSACTION);
    }

    /** The error for a statement in the lost block: the news of the loss once, then PostgreSQL's 25P02. */
    private ByteBuf failure() {
        if (phase instanceof Unannounced u) {
            phase = new Aborted();
            return BackendMessages.errorResponse(session.alloc(), "ERROR", SqlState.SERIALIZATION_FAILURE,
                    "pgrouter: the primary " + u.primary() + " went away during this transaction, which was lost; "
                            + "the session moves to the new primary: roll back and run the transaction again");
        }
        return BackendMessages.errorResponse(session.alloc(), "ERROR", SqlState.IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block");
    }

    private void ready(byte status) {
        toClient(BackendMessages.readyForQuery(session.alloc(), status));
    }

    private void toClient(ByteBuf m) {
        session.toClient(m);
    }
}
