package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.BIND_COMPLETE;
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

    private ByteBuf query;
    private final List<ByteBuf> held = new ArrayList<>(2);
    private int heldBytes;
    private boolean forwarding;

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
