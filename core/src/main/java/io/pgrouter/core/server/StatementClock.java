package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.MessageType;

/**
 * Times one session's requests from the client message that starts one (Query, Sync,
 * FunctionCall) to the ReadyForQuery that answers it, by the messages passing through core. A
 * client that sends several requests before the first answer (pipelining) has each timed from
 * the previous answer. ReadyForQuery that answers nothing of the client's (the greeting's) is not
 * timed. Runs on the session's event loop; two longs and an int, no allocation.
 */
final class StatementClock {
    private final StatementLatencies latencies;
    private int pending;
    private long startedAt;

    StatementClock(StatementLatencies latencies) {
        this.latencies = latencies;
    }

    /** A run of whole client messages on its way to the pipeline. */
    void fromClient(ByteBuf messages) {
        int requests = 0;
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); at < end; at = Messages.next(messages, at)) {
            byte type = messages.getByte(at);
            if (type == MessageType.Frontend.QUERY || type == MessageType.Frontend.SYNC
                    || type == MessageType.Frontend.FUNCTION_CALL) {
                requests++;
            }
        }
        if (requests > 0) {
            if (pending == 0) {
                startedAt = System.nanoTime();
            }
            pending += requests;
        }
    }

    /** Messages on their way to the client: each ReadyForQuery ends the oldest request. */
    void toClient(ByteBuf messages) {
        if (pending == 0) {
            return;
        }
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); at < end && pending > 0; at = Messages.next(messages, at)) {
            if (messages.getByte(at) == MessageType.Backend.READY_FOR_QUERY) {
                long now = System.nanoTime();
                latencies.record(now - startedAt);
                startedAt = now;
                pending--;
            }
        }
    }
}
