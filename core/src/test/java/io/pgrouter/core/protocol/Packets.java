package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds protocol packets byte by byte, as a client would send them. */
final class Packets {
    private Packets() {
    }

    static ByteBuf startup(int protocol, Map<String, String> params) {
        ByteBuf body = Unpooled.buffer();
        body.writeInt(protocol);
        params.forEach((k, v) -> {
            body.writeCharSequence(k, StandardCharsets.UTF_8);
            body.writeByte(0);
            body.writeCharSequence(v, StandardCharsets.UTF_8);
            body.writeByte(0);
        });
        body.writeByte(0);
        ByteBuf packet = Unpooled.buffer();
        packet.writeInt(body.readableBytes() + 4);
        packet.writeBytes(body);
        body.release();
        return packet;
    }

    static ByteBuf code(int code) {
        return Unpooled.buffer().writeInt(8).writeInt(code);
    }

    static ByteBuf message(char type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer().writeByte(type).writeInt(bytes.length + 4).writeBytes(bytes);
    }
}
