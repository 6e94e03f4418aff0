package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Builds the ErrorResponse messages pgrouter sends on its own behalf. */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** A FATAL ErrorResponse: the client must give up the connection after it. */
    public static ByteBuf fatal(ByteBufAllocator alloc, String sqlState, String message) {
        return build(alloc, "FATAL", sqlState, message);
    }

    /** An ERROR ErrorResponse: the statement failed, the session goes on. */
    public static ByteBuf error(ByteBufAllocator alloc, String sqlState, String message) {
        return build(alloc, "ERROR", sqlState, message);
    }

    private static ByteBuf build(ByteBufAllocator alloc, String severity, String sqlState, String message) {
        ByteBuf buf = alloc.buffer(32 + message.length());
        buf.writeByte('E');
        int lengthAt = buf.writerIndex();
        buf.writeInt(0);
        field(buf, 'S', severity);
        field(buf, 'V', severity); // non-localised severity, read by pgjdbc and libpq since 9.6
        field(buf, 'C', sqlState);
        field(buf, 'M', message);
        buf.writeByte(0);
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
        return buf;
    }

    private static void field(ByteBuf buf, char code, String value) {
        buf.writeByte(code);
        buf.writeCharSequence(value, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }
}
