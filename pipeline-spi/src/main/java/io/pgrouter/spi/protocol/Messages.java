package io.pgrouter.spi.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Walking a buffer of whole protocol messages in place, as
 * {@link io.pgrouter.spi.pipeline.SessionPipeline#clientMessages} and
 * {@link io.pgrouter.spi.pipeline.SessionPipeline#serverMessages} receive them, and reading the
 * NUL-terminated strings (C strings) inside them. Each message is its type byte, a four-byte
 * length (counting itself, not the type) and the body, which starts at {@code at + }{@link #HEADER}.
 *
 * <pre>{@code
 * for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
 *     switch (messages.getByte(at)) {
 *         case MessageType.Backend.READY_FOR_QUERY -> ...
 *     }
 * }
 * }</pre>
 *
 * <p>Nothing here changes the buffer's indexes or reference count.
 */
public final class Messages {
    private Messages() {
    }

    /** Bytes before a message's body: the type and the length. */
    public static final int HEADER = 5;

    /** Where the message after the one starting at {@code at} starts. */
    public static int next(ByteBuf messages, int at) {
        return at + 1 + messages.getInt(at + 1);
    }

    /** Whether a message of this type is in the buffer. */
    public static boolean contains(ByteBuf messages, byte type) {
        for (int at = messages.readerIndex(); at < messages.writerIndex(); at = next(messages, at)) {
            if (messages.getByte(at) == type) {
                return true;
            }
        }
        return false;
    }

    /** The type byte of the message at the reader index. */
    public static byte type(ByteBuf message) {
        return message.getByte(message.readerIndex());
    }

    /**
     * Where the C string starting at {@code at} ends: the index of its NUL, or -1 when there is
     * none before the writer index (a malformed message).
     */
    public static int cstringEnd(ByteBuf buf, int at) {
        return at >= buf.writerIndex() ? -1 : buf.indexOf(at, buf.writerIndex(), (byte) 0);
    }

    /** Where what follows the C string at {@code at} starts; the writer index when it has no NUL. */
    public static int skipCstring(ByteBuf buf, int at) {
        int end = cstringEnd(buf, at);
        return end < 0 ? buf.writerIndex() : end + 1;
    }

    /** The C string at {@code at}, decoded as UTF-8; {@code null} when it has no NUL. */
    public static String cstring(ByteBuf buf, int at) {
        int end = cstringEnd(buf, at);
        return end < 0 ? null : buf.toString(at, end - at, StandardCharsets.UTF_8);
    }

    /** The bytes {@code s} takes as a C string: its UTF-8 and the NUL. */
    public static int cstringLength(CharSequence s) {
        return ByteBufUtil.utf8Bytes(s) + 1;
    }

    /**
     * Appends {@code s} as a C string (UTF-8, then a NUL), encoded straight into {@code out}: no
     * byte array per string, which matters for messages pgrouter builds on every commit or reset.
     */
    public static ByteBuf writeCstring(ByteBuf out, CharSequence s) {
        // writeUtf8 would reserve three bytes a char and so grow a buffer sized exactly
        ByteBufUtil.reserveAndWriteUtf8(out, s, ByteBufUtil.utf8Bytes(s));
        return out.writeByte(0);
    }

    /**
     * Appends a value as Bind and DataRow carry one: its length in bytes, then its UTF-8 text,
     * encoded straight into {@code out}; a null value is SQL NULL (length -1, no bytes).
     */
    public static ByteBuf writeValue(ByteBuf out, String value) {
        if (value == null) {
            return out.writeInt(-1);
        }
        int size = ByteBufUtil.utf8Bytes(value);
        ByteBufUtil.reserveAndWriteUtf8(out.writeInt(size), value, size);
        return out;
    }

    /** Whether the C string at {@code at} is the empty one (the unnamed statement or portal). */
    public static boolean isEmptyCstring(ByteBuf buf, int at) {
        return at < buf.writerIndex() && buf.getByte(at) == 0;
    }

    /** Whether the C string at {@code at} is exactly {@code value} (its bytes, without NUL), compared in place. */
    public static boolean cstringEquals(ByteBuf buf, int at, byte[] value) {
        return startsWith(buf, at, value) && at + value.length < buf.writerIndex() && buf.getByte(at + value.length) == 0;
    }

    /** Whether the bytes at {@code at} begin with {@code prefix}, compared in place. */
    public static boolean startsWith(ByteBuf buf, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > buf.writerIndex()) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
