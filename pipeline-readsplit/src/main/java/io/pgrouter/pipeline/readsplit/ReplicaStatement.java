package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
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
        byte type = message.getByte(message.readerIndex());
        // RowDescription, ParseComplete, BindComplete, NoData, ParameterDescription, notices and
        // notifications come before execution: a refusal may still follow them.
        boolean settles = type != 'T' && type != 'N' && type != 'A' && type != '1' && type != '2'
                && type != 'n' && type != 't';
        if (settles || heldBytes + message.readableBytes() > HOLD_LIMIT) {
            return false;
        }
        held.add(message);
        heldBytes += message.readableBytes();
        return true;
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

    void release() {
        held.forEach(ByteBuf::release);
        held.clear();
        if (query != null) {
            query.release();
            query = null;
        }
    }
}
