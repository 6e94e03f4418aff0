package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the startup phase: untyped packets (length, code, body) until a StartupMessage, then
 * replaces itself with a {@link FrameDecoder}, which receives whatever bytes follow.
 *
 * <p>The packet length is capped as PostgreSQL caps it, so a hostile client cannot make us
 * buffer more than 10 kB before it has said who it is.
 */
public final class StartupDecoder extends ProtocolDecoder {
    private final int maxMessageSize;
    private final BufferBudget budget;

    /** @param maxMessageSize the cap of the frame decoder that takes over after startup */
    public StartupDecoder(int maxMessageSize) {
        this(maxMessageSize, BufferBudget.UNLIMITED);
    }

    /** @param budget what the frame decoder that takes over may hold of messages cut across reads */
    public StartupDecoder(int maxMessageSize, BufferBudget budget) {
        this.maxMessageSize = maxMessageSize;
        this.budget = budget;
    }

    @Override
    protected void decodeOrThrow(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 8 || length > ProtocolCodes.MAX_STARTUP_PACKET) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(start + 4);
        switch (code) {
            case ProtocolCodes.SSL_REQUEST -> {
                requireLength(length, 8, "SSLRequest");
                in.skipBytes(length);
                requireNothingBuffered(in, "SSL");
                out.add(new StartupPacket.SslRequest());
            }
            case ProtocolCodes.GSSENC_REQUEST -> {
                requireLength(length, 8, "GSSENCRequest");
                in.skipBytes(length);
                requireNothingBuffered(in, "GSSAPI encryption");
                out.add(new StartupPacket.GssEncRequest());
            }
            case ProtocolCodes.CANCEL_REQUEST -> {
                requireLength(length, 16, "CancelRequest");
                out.add(new StartupPacket.Cancel(in.getInt(start + 8), in.getInt(start + 12)));
                in.skipBytes(length);
            }
            default -> {
                if (ProtocolCodes.majorVersion(code) != 3) {
                    throw new ProtocolException(SqlState.FEATURE_NOT_SUPPORTED, String.format(
                            "unsupported frontend protocol %d.%d: server supports 3.0 to 3.0",
                            ProtocolCodes.majorVersion(code), ProtocolCodes.minorVersion(code)));
                }
                Map<String, String> parameters = parameters(in, start + 8, start + length);
                ByteBuf raw = in.readRetainedSlice(length);
                out.add(new StartupPacket.Startup(code, parameters, raw));
                // Everything after the StartupMessage is regular typed messages.
                ctx.pipeline().replace(this, "frames", new FrameDecoder(maxMessageSize, budget));
            }
        }
    }

    /**
     * A client must wait for the one-byte answer to an encryption request before it sends more.
     * Bytes already buffered would be taken as sent inside the encrypted channel without having
     * been (CVE-2021-23222 in libpq, CVE-2021-23214 in the server): refuse them, as PostgreSQL does.
     */
    private static void requireNothingBuffered(ByteBuf in, String what) {
        if (in.isReadable()) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "received unencrypted data after " + what + " request");
        }
    }

    private static void requireLength(int length, int expected, String what) {
        if (length != expected) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid length of " + what);
        }
    }

    /** Reads the NUL-terminated name/value pairs; the list ends with an empty name. */
    private static Map<String, String> parameters(ByteBuf in, int from, int end) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = from;
        while (i < end) {
            int nameEnd = in.indexOf(i, end, (byte) 0);
            if (nameEnd < 0) {
                throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte");
            }
            if (nameEnd == i) {
                if (nameEnd != end - 1) {
                    throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte");
                }
                break;
            }
            int valueEnd = in.indexOf(nameEnd + 1, end, (byte) 0);
            if (valueEnd < 0) {
                throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte");
            }
            params.put(in.toString(i, nameEnd - i, StandardCharsets.UTF_8),
                    in.toString(nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
            i = valueEnd + 1;
        }
        if (!params.containsKey("user")) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "no PostgreSQL user name specified in startup packet");
        }
        return params;
    }
}
