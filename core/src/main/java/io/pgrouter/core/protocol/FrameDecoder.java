package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * Splits the byte stream into whole protocol messages (type byte, length, body) and passes each
 * on as a retained slice of the read buffer: no copy, no decoding. What a message means is the
 * pipeline's business.
 */
public final class FrameDecoder extends ProtocolDecoder {
    private static final int HEADER = 1 + ProtocolCodes.LENGTH_BYTES;

    private final int maxMessageSize;

    public FrameDecoder(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    protected void decodeOrThrow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= HEADER) {
            int start = in.readerIndex();
            int length = in.getInt(start + 1);
            if (length < ProtocolCodes.LENGTH_BYTES) {
                throw new ProtocolException(SqlState.PROTOCOL_VIOLATION,
                        "invalid message length " + length + " for message type '" + printable(in.getByte(start)) + "'");
            }
            if (length > maxMessageSize) {
                throw new ProtocolException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                        "message of " + length + " bytes exceeds the limit of " + maxMessageSize + " bytes");
            }
            int total = length + 1;
            if (in.readableBytes() < total) {
                return;
            }
            out.add(in.readRetainedSlice(total));
        }
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
