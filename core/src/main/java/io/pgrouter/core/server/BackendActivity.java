package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.MessageType.Backend;
import io.pgrouter.spi.protocol.MessageType.Frontend;

/**
 * What is open on a backend connection, known from the bytes core forwards both ways: requests
 * (Query, FunctionCall, Sync) not yet answered by their ReadyForQuery, an extended-protocol group
 * without its Sync, a transaction the last ReadyForQuery said is open, a Terminate sent. Core
 * decides from this, not from a pipeline's word, whether a connection given back may serve
 * another session.
 *
 * <p>One per backend connection, on its event loop; walks only the type and length of each
 * message (nothing is decoded). Assumes whole messages, as the framing delivers them.
 */
final class BackendActivity {
    private static final int HEADER = 5;

    private int unanswered;
    private boolean openGroup;
    private boolean readyIdle = true;
    private boolean terminated;

    /** Notes a run of messages sent; returns how many requests it holds (each answered by one ReadyForQuery). */
    int sent(ByteBuf messages) {
        int requests = 0;
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); end - at >= HEADER; ) {
            switch (messages.getByte(at)) {
                case Frontend.QUERY, Frontend.SYNC, Frontend.FUNCTION_CALL -> {
                    requests++;
                    openGroup = false;
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
        unanswered += requests;
        return requests;
    }

    /** Notes a run of whole messages received. */
    void received(ByteBuf messages) {
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); end - at >= HEADER; at += 1 + messages.getInt(at + 1)) {
            if (messages.getByte(at) == Backend.READY_FOR_QUERY && end - at >= HEADER + 1) {
                if (unanswered > 0) {
                    unanswered--; // a relayed login's own ReadyForQuery answers no request of ours
                }
                readyIdle = messages.getByte(at + HEADER) == 'I';
            }
        }
    }

    /** Nothing open: every request answered, no group without its Sync, no transaction, no Terminate. */
    boolean idle() {
        return unanswered <= 0 && !openGroup && readyIdle && !terminated;
    }
}
