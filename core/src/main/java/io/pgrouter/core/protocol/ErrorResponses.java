package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.protocol.BackendMessages;

/** The ErrorResponse messages pgrouter sends on its own behalf, by severity (built by {@link BackendMessages}). */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** A FATAL ErrorResponse: the client must give up the connection after it. */
    public static ByteBuf fatal(ByteBufAllocator alloc, String sqlState, String message) {
        return BackendMessages.errorResponse(alloc, "FATAL", sqlState, message);
    }

    /** An ERROR ErrorResponse: the statement failed, the session goes on. */
    public static ByteBuf error(ByteBufAllocator alloc, String sqlState, String message) {
        return BackendMessages.errorResponse(alloc, "ERROR", sqlState, message);
    }
}
