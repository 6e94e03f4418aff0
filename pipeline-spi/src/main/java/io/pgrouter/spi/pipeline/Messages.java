package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;

/**
 * Walking a buffer of whole protocol messages in place.
 *
 * @deprecated moved, with readers and builders of messages, to
 *     {@link io.pgrouter.spi.protocol.Messages}; this forwards to it and stays for plugins
 *     written against it.
 */
@Deprecated
public final class Messages {
    private Messages() {
    }

    /** See {@link io.pgrouter.spi.protocol.Messages#next}. */
    public static int next(ByteBuf messages, int at) {
        return io.pgrouter.spi.protocol.Messages.next(messages, at);
    }

    /** See {@link io.pgrouter.spi.protocol.Messages#contains}. */
    public static boolean contains(ByteBuf messages, byte type) {
        return io.pgrouter.spi.protocol.Messages.contains(messages, type);
    }
}
