package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StartupDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new StartupDecoder(1 << 20));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesStartupMessageAndHandsOverToFrames() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "alice");
        params.put("database", "shop");
        ByteBuf packet = Packets.startup(ProtocolCodes.PROTOCOL_3_0, params);
        int length = packet.readableBytes();
        // A Query pipelined right behind the startup packet must reach the frame decoder intact.
        ByteBuf both = Unpooled.wrappedBuffer(packet, Packets.message('Q', "select 1\0"));
        channel.writeInbound(both);

        StartupPacket.Startup startup = assertInstanceOf(StartupPacket.Startup.class, channel.readInbound());
        try {
            assertEquals(params, startup.parameters());
            assertEquals(ProtocolCodes.PROTOCOL_3_0, startup.protocol());
            assertEquals(length, startup.raw().readableBytes());
        } finally {
            startup.release();
        }
        assertNull(channel.pipeline().get(StartupDecoder.class));
        assertNotNull(channel.pipeline().get(FrameDecoder.class));
        ByteBuf query = channel.readInbound();
        try {
            int at = query.readerIndex(); // messages are the readable bytes, wherever they start
            assertEquals('Q', query.getByte(at));
            assertEquals("select 1\0", query.toString(at + 5, query.readableBytes() - 5, StandardCharsets.UTF_8));
        } finally {
            query.release();
        }
    }

    @Test
    void waitsForAWholePacketWhenItArrivesByteByByte() {
        ByteBuf packet = Packets.startup(ProtocolCodes.PROTOCOL_3_0, Map.of("user", "bob"));
        while (packet.isReadable()) {
            channel.writeInbound(packet.readRetainedSlice(1));
        }
        packet.release();
        StartupPacket.Startup startup = assertInstanceOf(StartupPacket.Startup.class, channel.readInbound());
        assertEquals("bob", startup.parameters().get("user"));
        startup.release();
    }

    @Test
    void sslAndGssRequestsKeepTheDecoderInPlace() {
        channel.writeInbound(Packets.code(ProtocolCodes.SSL_REQUEST));
        assertInstanceOf(StartupPacket.SslRequest.class, channel.readInbound());
        channel.writeInbound(Packets.code(ProtocolCodes.GSSENC_REQUEST));
        assertInstanceOf(StartupPacket.GssEncRequest.class, channel.readInbound());
        assertNotNull(channel.pipeline().get(StartupDecoder.class));
    }

    @Test
    void bytesPipelinedBehindAnSslRequestAreRefused() {
        ByteBuf both = Unpooled.wrappedBuffer(Packets.code(ProtocolCodes.SSL_REQUEST),
                Packets.startup(ProtocolCodes.PROTOCOL_3_0, Map.of("user", "mallory")));
        ProtocolException e = rejected(both);
        assertEquals("received unencrypted data after SSL request", e.getMessage());
    }

    @Test
    void decodesCancelRequest() {
        channel.writeInbound(Unpooled.buffer().writeInt(16).writeInt(ProtocolCodes.CANCEL_REQUEST).writeInt(42).writeInt(-7));
        StartupPacket.Cancel cancel = assertInstanceOf(StartupPacket.Cancel.class, channel.readInbound());
        assertEquals(42, cancel.processId());
        assertEquals(-7, cancel.secretKey());
    }

    @Test
    void rejectsOversizedStartupPacketBeforeBufferingIt() {
        ProtocolException e = rejected(Unpooled.buffer().writeInt(ProtocolCodes.MAX_STARTUP_PACKET + 1).writeInt(0));
        assertEquals(SqlState.PROTOCOL_VIOLATION, e.sqlState());
        assertEquals("invalid length of startup packet", e.getMessage());
    }

    @Test
    void rejectsTooShortStartupPacket() {
        assertEquals("invalid length of startup packet", rejected(Unpooled.buffer().writeInt(3)).getMessage());
    }

    @Test
    void rejectsProtocolVersionTwoWithPostgresWording() {
        ProtocolException e = rejected(Packets.startup(2 << 16, Map.of("user", "x")));
        assertEquals(SqlState.FEATURE_NOT_SUPPORTED, e.sqlState());
        assertEquals("unsupported frontend protocol 2.0: server supports 3.0 to 3.0", e.getMessage());
    }

    @Test
    void rejectsStartupWithoutUser() {
        ProtocolException e = rejected(Packets.startup(ProtocolCodes.PROTOCOL_3_0, Map.of("database", "x")));
        assertTrue(e.getMessage().contains("no PostgreSQL user name"), e.getMessage());
    }

    @Test
    void rejectsStartupWithoutTerminator() {
        ByteBuf packet = Unpooled.buffer().writeInt(4 + 4 + 5).writeInt(ProtocolCodes.PROTOCOL_3_0)
                .writeBytes("user\0".getBytes(StandardCharsets.UTF_8));
        assertTrue(rejected(packet).getMessage().startsWith("invalid startup packet layout"));
    }

    @Test
    void rejectsCancelRequestOfWrongLength() {
        ByteBuf packet = Unpooled.buffer().writeInt(12).writeInt(ProtocolCodes.CANCEL_REQUEST).writeInt(1);
        assertEquals("invalid length of CancelRequest", rejected(packet).getMessage());
    }

    private ProtocolException rejected(ByteBuf packet) {
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(packet));
        return assertInstanceOf(ProtocolException.class, e.getCause());
    }
}
