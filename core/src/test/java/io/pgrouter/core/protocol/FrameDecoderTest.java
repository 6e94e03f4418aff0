package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(64));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void passesTheWholeMessagesOfAReadOnAsOneSliceAndKeepsACutOneForItsTail() {
        ByteBuf burst = Unpooled.directBuffer();
        burst.writeBytes(Packets.message('P', "\0select 1\0\0\0"));
        burst.writeBytes(Packets.message('S', ""));
        burst.writeBytes(Packets.message('Q', "sel")); // incomplete on purpose: cut below
        ByteBuf partial = burst.retainedSlice(0, burst.readableBytes() - 2);
        ByteBuf rest = burst.retainedSlice(burst.readableBytes() - 2, 2);
        long address = burst.memoryAddress();
        burst.release();

        channel.writeInbound(partial);
        ByteBuf parseAndSync = channel.readInbound();
        assertNull(channel.readInbound(), "the cut message must wait for its tail");
        assertEquals(5 + 12 + 5, parseAndSync.readableBytes(), "Parse and Sync, without the cut Query");
        assertEquals('P', parseAndSync.getByte(0));
        assertEquals('S', parseAndSync.getByte(17));
        assertEquals(address, parseAndSync.memoryAddress(), "a slice of the read buffer, not a copy");
        parseAndSync.release();

        channel.writeInbound(rest);
        ByteBuf query = channel.readInbound();
        assertEquals('Q', query.getByte(0));
        assertEquals(8, query.readableBytes());
        query.release();
    }

    @Test
    void passesOnTheWholeMessagesBeforeABadOneThenFails() {
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(Packets.message('S', ""));
        in.writeByte('Q').writeInt(2);
        assertThrows(DecoderException.class, () -> channel.writeInbound(in));
        ByteBuf sync = channel.readInbound();
        assertEquals(5, sync.readableBytes());
        assertEquals('S', sync.getByte(0));
        sync.release();
        assertNull(channel.readInbound());
    }

    @Test
    void rejectsLengthBelowFour() {
        ByteBuf bad = Unpooled.buffer().writeByte('Q').writeInt(3);
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(bad));
        ProtocolException pe = assertInstanceOf(ProtocolException.class, e.getCause());
        assertEquals(SqlState.PROTOCOL_VIOLATION, pe.sqlState());
        assertEquals("invalid message length 3 for message type 'Q'", pe.getMessage());
    }

    @Test
    void rejectsMessagesOverTheLimitWithoutWaitingForTheirBody() {
        ByteBuf big = Unpooled.buffer().writeByte('Q').writeInt(65);
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(big));
        ProtocolException pe = assertInstanceOf(ProtocolException.class, e.getCause());
        assertEquals(SqlState.PROGRAM_LIMIT_EXCEEDED, pe.sqlState());
    }
}
