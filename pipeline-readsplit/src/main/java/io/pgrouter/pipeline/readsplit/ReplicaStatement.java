package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.BIND_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.NOTICE_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.NOTIFICATION_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.NO_DATA;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARAMETER_DESCRIPTION;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.ROW_DESCRIPTION;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A query running on the replica, and what of its answer is held back. Until the first row,
 * completion or ReadyForQuery, nothing reaches the client, so a refusal can still be retried on
 * the primary unseen: a SELECT's RowDescription comes before its execution, and so can the
 * refusal of a function it calls. RowDescription, notices and notifications are held up to
 * {@link #HOLD_LIMIT} bytes; past that they are forwarded and the statement can no longer be
 * retried (a refusal then reaches the client as the replica's error).
 *
 * <p>It says what each message of the answer is ({@link #answer}); {@link ReplicaLink} acts on it.
 */
final class ReplicaStatement {
    static final int HOLD_LIMIT = 1 << 20;

    /**
     * What a hot standby answers for a statement it cannot run but the primary can:
     * read_only_sql_transaction, feature_not_supported, object_not_in_prerequisite_state (e.g.
     * "cannot assign TransactionIds during recovery") and serialization_failure (a query
     * cancelled by a recovery conflict), and the replica shutting down or starting up (57P01,
     * 57P02, 57P03). The replica did nothing, so re-running on the primary is safe.
     */
    private static final Set<String> REPLICA_REFUSALS = Set.of(SqlState.READ_ONLY_SQL_TRANSACTION,
            SqlState.FEATURE_NOT_SUPPORTED, SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, SqlState.SERIALIZATION_FAILURE,
            SqlState.ADMIN_SHUTDOWN, SqlState.CRASH_SHUTDOWN, SqlState.CANNOT_CONNECT_NOW);

    /** What a message from the replica is to the statement. */
    enum Answer {
        /** The ParseComplete of a statement prepared lazily ahead of this one: pgrouter's, not the client's. */
        LAZY_PARSED,
        /** A statement prepared lazily failed to parse (the replica lags behind the schema, say): the primary has it. */
        LAZY_PARSE_FAILED,
        /** The replica refused the statement before any of its answer reached the client: the primary can run it. */
        REFUSED,
        /** The replica is going away (a FATAL) before any of the answer reached the client: the primary runs it. */
        GOING_AWAY,
        /** Held back: a refusal may still follow. */
        HELD,
        /** The answer starts reaching the client, what was held first: it is the replica's now. */
        SETTLES,
        /** More of an answer that is reaching the client. */
        FORWARD
    }

    private ByteBuf query;
    private final List<ByteBuf> held = new ArrayList<>(2);
    private int heldBytes;
    private boolean forwarding;
    /** ParseCompletes owed for named statements prepared lazily ahead of this one. */
    private int lazyParses;

    ReplicaStatement(ByteBuf query) {
        this.query = query;
    }

    /**
     * A request inside a transaction that runs on the replica: it cannot be retried anywhere
     * else, so its answer is forwarded as it comes.
     */
    static ReplicaStatement inTransaction() {
        ReplicaStatement s = new ReplicaStatement(null);
        s.forwarding = true;
        return s;
    }

    boolean forwarding() {
        return forwarding;
    }

    /** Named statements this connection lacked were parsed ahead of it: their ParseCompletes come first. */
    void preparedLazily(int parses) {
        lazyParses += parses;
    }

    boolean owesParses() {
        return lazyParses > 0;
    }

    /**
     * What {@code message} is to the statement; one held back is kept ({@link #hold}).
     * {@code inTransaction}: it runs in a transaction on the replica, where a failed lazy Parse
     * is the client's to hear of (the replica then skips the rest of the group up to its Sync).
     */
    Answer answer(ByteBuf message, byte type, boolean inTransaction) {
        if (lazyParses > 0 && type == PARSE_COMPLETE) {
            lazyParses--;
            return Answer.LAZY_PARSED;
        }
        if (lazyParses > 0 && type == ERROR_RESPONSE) {
            lazyParses = 0;
            if (!inTransaction) {
                return Answer.LAZY_PARSE_FAILED;
            }
        }
        if (forwarding) {
            return Answer.FORWARD;
        }
        if (type == ERROR_RESPONSE && BackendMessages.isFatal(message)) {
            return Answer.GOING_AWAY;
        }
        if (type == ERROR_RESPONSE && isReplicaRefusal(message)) {
            return Answer.REFUSED;
        }
        return hold(message) ? Answer.HELD : Answer.SETTLES;
    }

    /**
     * Holds a message that does not settle the statement (a notice, say); false when the message
     * settles it (rows, completion, ReadyForQuery, a non-retryable error) and must be forwarded.
     */
    boolean hold(ByteBuf message) {
        if (settles(Messages.type(message)) || heldBytes + message.readableBytes() > HOLD_LIMIT) {
            return false;
        }
        held.add(message);
        heldBytes += message.readableBytes();
        return true;
    }

    /**
     * Whether a message of this type settles a statement (rows, completion, ReadyForQuery, an
     * error). RowDescription, ParseComplete, BindComplete, NoData, ParameterDescription, notices
     * and notifications come before execution: a refusal may still follow them.
     */
    static boolean settles(byte type) {
        return switch (type) {
            case ROW_DESCRIPTION, NOTICE_RESPONSE, NOTIFICATION_RESPONSE, PARSE_COMPLETE, BIND_COMPLETE, NO_DATA,
                    PARAMETER_DESCRIPTION -> false;
            default -> true;
        };
    }

    /** Whether any message of the batch {@link #settles} a statement. */
    static boolean settlesAny(ByteBuf messages) {
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); at < end; at = Messages.next(messages, at)) {
            if (settles(messages.getByte(at))) {
                return true;
            }
        }
        return false;
    }

    /** From now on the answer goes to the client: first what was held. */
    void startForwarding(Consumer<ByteBuf> toClient) {
        forwarding = true;
        held.forEach(toClient);
        held.clear();
        if (query != null) {
            query.release();
            query = null;
        }
    }

    /** The query, for a retry on the primary; the caller owns it. */
    ByteBuf takeQuery() {
        ByteBuf q = query;
        query = null;
        return q;
    }

    /** Whether the replica's ErrorResponse refuses what the primary can run (then re-run there). */
    static boolean isReplicaRefusal(ByteBuf error) {
        return REPLICA_REFUSALS.contains(BackendMessages.sqlState(error));
    }

    void release() {
        held.forEach(ByteBuf::release);
        held.clear();
        if (query != null) {
            query.release();
            query = null;
        }
    }
}
