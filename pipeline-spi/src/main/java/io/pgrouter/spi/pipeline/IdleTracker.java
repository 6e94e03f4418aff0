package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.MessageType.Frontend;

/**
 * Whether a backend connection has nothing open on it: no transaction, no request without its
 * ReadyForQuery, no extended-protocol group without its Sync. For pipelines that give
 * connections back to a pool ({@link Session#release}), which may only release idle ones.
 *
 * <p>Feed it the type of every message sent to the backend and every message received from it.
 * One per session and backend, on the session's event loop; not thread-safe.
 *
 * @deprecated core tracks this itself from the bytes it forwards: use {@link Backend#isIdle()}
 *     (and {@link Session#release} pools only idle connections whatever a pipeline says). Kept for
 *     plugins written against the first SPI.
 */
@Deprecated
public final class IdleTracker {
    /** Requests (Query, Sync, FunctionCall) sent and not yet answered by ReadyForQuery. */
    private int unanswered;
    /** Extended-protocol messages sent since the last Sync. */
    private boolean openGroup;
    /** The last ReadyForQuery said idle ('I'), not in a transaction. */
    private boolean readyIdle = true;

    /** Notes a message sent to the backend, by its type byte. */
    public void sent(byte type) {
        switch (type) {
            case Frontend.QUERY, Frontend.SYNC, Frontend.FUNCTION_CALL -> {
                unanswered++;
                openGroup = false;
            }
            case Frontend.PARSE, Frontend.BIND, Frontend.DESCRIBE, Frontend.EXECUTE, Frontend.CLOSE, Frontend.FLUSH -> openGroup = true;
            default -> {
                // CopyData, CopyDone, CopyFail belong to the request that started the COPY.
            }
        }
    }

    /** Notes every message of a run of whole messages sent to the backend. */
    public void sent(ByteBuf messages) {
        for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
            sent(messages.getByte(at));
        }
    }

    /** Notes a message from the backend; returns whether it was a ReadyForQuery. */
    public boolean received(ByteBuf message) {
        return received(message, message.readerIndex());
    }

    /** Notes the message from the backend that starts at {@code at} in {@code messages}. */
    public boolean received(ByteBuf messages, int at) {
        if (messages.getByte(at) != MessageType.Backend.READY_FOR_QUERY) {
            return false;
        }
        unanswered--;
        readyIdle = messages.getInt(at + 1) == 5 && messages.getByte(at + 5) == BackendMessages.IDLE;
        return true;
    }

    /** Nothing is open: the connection may serve someone else. */
    public boolean idle() {
        return readyIdle && unanswered <= 0 && !openGroup;
    }
}
