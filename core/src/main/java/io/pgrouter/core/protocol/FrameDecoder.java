package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * Cuts the byte stream at message boundaries (type byte, length, body) and passes on each run of
 * whole messages that a read completed as one retained slice of the read buffer: no copy, no
 * decoding, one object however many messages a read brought. What the messages mean is the
 * pipeline's business; a message cut by the end of a read waits here for its tail.
 */
public final class FrameDecoder extends ProtocolDecoder {
    private static final int HEADER = 1 + ProtocolCodes.LENGTH_BYTES;

    private final int maxMessageSize;

    public FrameDecoder(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    protected void decodeOrThrow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int at = start;
        try {
            while (end - at >= HEADER) {
                int length = in.getInt(at + 1);
                if (length < ProtocolCodes.LENGTH_BYTES) {
                    throw new ProtocolException(SqlState.PROTOCOL_VIOLATION,
                            "invalid message length " + length + " for message type '" + printable(in.getByte(at)) + "'");
                }
                if (length > maxMessageSize) {
                    throw new ProtocolException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                            "message of " + length + " bytes exceeds the limit of " + maxMessageSize + " bytes");
                }
                if (end - at - 1 < length) {
                    break;
                }
                at += 1 + length;
            }
        } finally {
            // The whole messages before a bad one still go on, as they would have one by one.
            if (at > start) {
                out.add(in.retainedSlice(start, at - start));
                in.readerIndex(at);
            }
        }
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
