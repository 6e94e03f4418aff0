package io.pgrouter.spi.protocol;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.MessageType.Backend;
import io.pgrouter.spi.protocol.MessageType.Frontend;

/**
 * What is open on a backend connection and whose its answers are, known from the bytes passed
 * both ways: each request (Query, FunctionCall, or an extended-protocol group's Sync) until its
 * ReadyForQuery, an extended-protocol group without its Sync, the transaction status of the last
 * ReadyForQuery, a Terminate sent. Core keeps one per backend connection to decide whether a
 * connection given back may serve another session, and to consume the answers to requests sent
 * {@linkplain io.pgrouter.spi.pipeline.Backend#sendInternal internally} (a reset, a mirrored SET)
 * so that the pipeline never sees them; the pipeline test double keeps one the same way.
 *
 * <p>Answers come in request order, so a ring of one flag per outstanding request (internal or
 * not) says whose each answer is. Only type bytes and lengths are read; nothing is decoded or
 * copied. Assumes whole messages, as the framing delivers them. One per connection, on its event
 * loop; not thread-safe.
 */
public final class RequestTracker {
    private static final int HEADER = 5;

    /** Where a run of received messages goes: each range the pipeline must see, in order. */
    @FunctionalInterface
    public interface PipelineRange {
        void range(int from, int to);
    }

    /**
     * Where the answers to an internal request whose result the sender wants go ({@link
     * #sentInternal(ByteBuf, Answer)}): each of its messages, in order, up to and including its
     * ReadyForQuery, or {@link #lost()} when the connection closes first.
     */
    public interface Answer {
        /** One message of the answer, at {@code [at, next)} of {@code messages} (read it, do not keep it). */
        void message(byte type, ByteBuf messages, int at, int next);

        /** The connection closed before the request's ReadyForQuery. */
        void lost();
    }

    /** Marks an internal request whose answers nobody reads. */
    private static final Object INTERNAL = new Object();

    /** Per outstanding request, oldest first: null for the pipeline's, {@link #INTERNAL} or an {@link Answer}. */
    private Object[] internal = new Object[8];
    private int head;
    private int size;
    private int internalCount;
    private boolean openGroup;
    private boolean readyIdle = true;
    private boolean terminated;
    private long internalErrors;

    /** Notes a run of messages the pipeline sent; returns how many requests it holds. */
    public int sent(ByteBuf messages) {
        return sent(messages, false);
    }

    /**
     * Notes a run of messages sent, by the pipeline or internally; returns how many requests it
     * holds (each answered by one ReadyForQuery).
     */
    public int sent(ByteBuf messages, boolean internalRequests) {
        int requests = 0;
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); end - at >= HEADER; ) {
            switch (messages.getByte(at)) {
                case Frontend.QUERY, Frontend.SYNC, Frontend.FUNCTION_CALL -> {
                    requests++;
                    openGroup = false;
                    push(internalRequests ? INTERNAL : null);
                }
                case Frontend.PARSE, Frontend.BIND, Frontend.DESCRIBE, Frontend.EXECUTE, Frontend.CLOSE,
                        Frontend.FLUSH -> openGroup = true;
                case Frontend.TERMINATE -> terminated = true;
                default -> {
                    // CopyData, CopyDone, CopyFail belong to the request that started the COPY.
                }
            }
            int length = messages.getInt(at + 1);
            if (length < 4) {
                break; // not ours to judge: PostgreSQL will refuse it
            }
            at += 1 + length;
        }
        return requests;
    }

    /**
     * Notes one internal request (a Query, or extended-protocol messages ending in one Sync)
     * whose answers go to {@code answer} (still kept from the pipeline, like any internal answer).
     */
    public void sentInternal(ByteBuf request, Answer answer) {
        int requests = sent(request, true);
        if (requests != 1) {
            throw new IllegalArgumentException("an answered internal request is one Query or one group up to its Sync, found "
                    + requests + " requests");
        }
        internal[(head + size - 1) % internal.length] = answer;
    }

    /** The connection closed: each request still waiting for an {@link Answer} hears it lost. */
    public void closed() {
        for (int i = 0; i < size; i++) {
            int at = (head + i) % internal.length;
            if (internal[at] instanceof Answer answer) {
                internal[at] = INTERNAL;
                answer.lost();
            }
        }
    }

    /** Whether answers to internal requests are still to come (received() must then be given a range sink). */
    public boolean internalPending() {
        return internalCount > 0;
    }

    /** Notes a run of whole messages received, all of them the pipeline's (no internal request pending). */
    public void received(ByteBuf messages) {
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); end - at >= HEADER; at += 1 + messages.getInt(at + 1)) {
            if (messages.getByte(at) == Backend.READY_FOR_QUERY && end - at >= HEADER + 1) {
                answered(messages.getByte(at + HEADER));
            }
        }
    }

    /**
     * Notes a run of whole messages received and says which ranges of it are the pipeline's: the
     * answers to its own requests, and ParameterStatus, NoticeResponse and NotificationResponse
     * whoever's request they came with (the client must hear of those). The answers to internal
     * requests (CommandComplete, ErrorResponse, ReadyForQuery, ...) are left out.
     */
    public void received(ByteBuf messages, PipelineRange pipeline) {
        int end = messages.writerIndex();
        int keptFrom = -1;
        for (int at = messages.readerIndex(); end - at >= HEADER; ) {
            int next = at + 1 + messages.getInt(at + 1);
            byte type = messages.getByte(at);
            Object owner = size > 0 ? internal[head] : null;
            boolean ofInternal = owner != null;
            if (owner instanceof Answer answer) {
                answer.message(type, messages, at, next);
            } else if (ofInternal && type == Backend.ERROR_RESPONSE) {
                internalErrors++;
            }
            boolean keep = !ofInternal || type == Backend.PARAMETER_STATUS || type == Backend.NOTICE_RESPONSE
                    || type == Backend.NOTIFICATION_RESPONSE;
            if (keep && keptFrom < 0) {
                keptFrom = at;
            } else if (!keep && keptFrom >= 0) {
                pipeline.range(keptFrom, at);
                keptFrom = -1;
            }
            if (type == Backend.READY_FOR_QUERY && next - at >= HEADER + 1) {
                answered(messages.getByte(at + HEADER));
            }
            at = next;
        }
        if (keptFrom >= 0) {
            pipeline.range(keptFrom, end);
        }
    }

    /** How many ErrorResponses answered internal requests so far (core logs them). */
    public long internalErrors() {
        return internalErrors;
    }

    /** Nothing open: every request answered, no group without its Sync, no transaction, no Terminate. */
    public boolean idle() {
        return size == 0 && !openGroup && readyIdle && !terminated;
    }

    private void answered(byte transactionStatus) {
        readyIdle = transactionStatus == BackendMessages.IDLE;
        if (size == 0) {
            return; // a relayed login's own ReadyForQuery answers no request of ours
        }
        if (internal[head] != null) {
            internalCount--;
        }
        internal[head] = null;
        head = (head + 1) % internal.length;
        size--;
    }

    private void push(Object owner) {
        if (size == internal.length) {
            Object[] bigger = new Object[size * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = internal[(head + i) % internal.length];
            }
            internal = bigger;
            head = 0;
        }
        internal[(head + size) % internal.length] = owner;
        size++;
        if (owner != null) {
            internalCount++;
        }
    }
}
