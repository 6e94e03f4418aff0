package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;

/**
 * Walking a buffer of whole protocol messages in place, as {@link SessionPipeline#clientMessages}
 * and {@link SessionPipeline#serverMessages} receive them: each message is its type byte, a
 * four-byte length (counting itself, not the type) and the body.
 *
 * <pre>{@code
 * for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
 *     byte type = messages.getByte(at);
 * }
 * }</pre>
 */
public final class Messages {
    private Messages() {
    }

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
}
