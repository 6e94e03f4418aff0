package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.BACKEND_KEY_DATA;
import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARAMETER_STATUS;
import static io.pgrouter.spi.protocol.MessageType.Backend.READY_FOR_QUERY;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.protocol.Messages;

/**
 * The rule by which both links pass what a backend sent in one read to the client in one write:
 * a plain answer, with no ErrorResponse (a refusal to retry, a FATAL), ParameterStatus or
 * BackendKeyData in it, and nothing after its ReadyForQuery. Anything else goes message by
 * message. Reads only the type bytes.
 */
final class PlainAnswer {
    /** {@link #readyAt}: the batch needs a look message by message. */
    static final int NOT_PLAIN = -2;
    /** {@link #readyAt}: plain, with no ReadyForQuery in it (the answer goes on in a later read). */
    static final int NO_READY = -1;

    private PlainAnswer() {
    }

    /** Where the batch's ReadyForQuery starts when the batch is plain; else {@link #NO_READY} or {@link #NOT_PLAIN}. */
    static int readyAt(ByteBuf messages) {
        int ready = NO_READY;
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); at < end; at = Messages.next(messages, at)) {
            byte type = messages.getByte(at);
            if (ready >= 0 || type == ERROR_RESPONSE || type == PARAMETER_STATUS || type == BACKEND_KEY_DATA) {
                return NOT_PLAIN;
            }
            if (type == READY_FOR_QUERY) {
                ready = at;
            }
        }
        return ready;
    }
}
