package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * A decoder of PostgreSQL's protocol that gives up cleanly on bad input: a broken stream cannot
 * be resynchronised, so on a {@link ProtocolException} what is buffered is dropped (nothing is
 * decoded again, for instance when the channel closes) and the error ends the connection.
 */
abstract class ProtocolDecoder extends ByteToMessageDecoder {
    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeOrThrow(ctx, in, out);
        } catch (ProtocolException e) {
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Decodes what {@code in} holds; throws {@link ProtocolException} on a protocol violation. */
    protected abstract void decodeOrThrow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out);
}
