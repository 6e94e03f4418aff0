package io.pgrouter.spi.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One whole message a pipeline sent, copied off the wire: {@code toClient} records server
 * messages ({@link MessageType.Backend} letters), {@code Backend.send} client messages
 * ({@link MessageType.Frontend}).
 *
 * @param type the type byte
 * @param bytes the whole message: type, length, body
 * @param fromServer whether it is a server's message (as the client receives it)
 */
public record Recorded(byte type, byte[] bytes, boolean fromServer) {
    /** Each whole message of {@code messages}, copied into {@code into}; then released, as core does once written. */
    static void record(ByteBuf messages, boolean fromServer, List<Recorded> into) {
        try {
            for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
                byte[] bytes = new byte[Messages.next(messages, at) - at];
                messages.getBytes(at, bytes);
                into.add(new Recorded(bytes[0], bytes, fromServer));
            }
        } finally {
            messages.release();
        }
    }

    /** The type letters of the messages, e.g. {@code "CZ"}. */
    static String types(List<Recorded> messages) {
        StringBuilder s = new StringBuilder();
        for (Recorded r : messages) {
            s.append((char) r.type());
        }
        return s.toString();
    }

    /** A read-only view of the bytes, for the SPI's readers ({@code FrontendMessages.queryText}, ...); nothing to release. */
    public ByteBuf buf() {
        return Unpooled.wrappedBuffer(bytes).asReadOnly();
    }

    /** The body after type and length, as UTF-8 with its NULs. */
    public String body() {
        return new String(bytes, 5, bytes.length - 5, StandardCharsets.UTF_8);
    }

    /** The message's name in PostgreSQL's documentation. */
    public String name() {
        return fromServer ? MessageType.Backend.name(type) : MessageType.Frontend.name(type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Recorded r && r.type == type && r.fromServer == fromServer && Arrays.equals(r.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return name() + " " + body().replace('\0', '|');
    }
}
