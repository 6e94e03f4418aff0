package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The messages that end a login after AuthenticationOk, for clients served from pooled connections. */
final class Greeting {
    private Greeting() {
    }

    static ByteBuf parameterStatus(ByteBufAllocator alloc, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(7 + n.length + v.length).writeByte('S').writeInt(6 + n.length + v.length)
                .writeBytes(n).writeByte(0).writeBytes(v).writeByte(0);
    }

    static ByteBuf backendKeyData(ByteBufAllocator alloc, int processId, int secretKey) {
        return alloc.buffer(13).writeByte('K').writeInt(12).writeInt(processId).writeInt(secretKey);
    }

    static ByteBuf readyForQuery(ByteBufAllocator alloc, byte status) {
        return alloc.buffer(6).writeByte('Z').writeInt(5).writeByte(status);
    }
}
