package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
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
    void passesAReadThatEndsOnAMessageBoundaryOnAsTheReadBufferItself() {
        ByteBuf read = Unpooled.directBuffer();
        read.writeBytes(Packets.message('C', "SELECT 1\0"));
        read.writeBytes(Packets.message('Z', "I"));
        channel.writeInbound(read);
        ByteBuf passed = channel.readInbound();
        assertSame(read, passed, "no slice, no copy: the common case costs nothing");
        assertEquals(1, passed.refCnt());
        passed.release();
    }

    @Test
    void reassemblesAMessageCutAcrossSeveralReads() {
        ByteBuf whole = Packets.message('D', "0123456789abcdefghijklmnopqrstuv"); // 37 bytes
        channel.writeInbound(whole.retainedSlice(0, 3)); // not even the whole header
        channel.writeInbound(whole.retainedSlice(3, 10));
        assertNull(channel.readInbound(), "nothing is whole yet");
        ByteBuf tailAndNext = Unpooled.buffer();
        tailAndNext.writeBytes(whole, 13, whole.readableBytes() - 13);
        tailAndNext.writeBytes(Packets.message('Z', "I"));
        channel.writeInbound(tailAndNext);

        ByteBuf passed = channel.readInbound();
        assertEquals(whole.readableBytes() + 6, passed.readableBytes(), "the DataRow and the ReadyForQuery");
        assertEquals(whole, passed.slice(passed.readerIndex(), whole.readableBytes()));
        assertEquals('Z', passed.getByte(passed.readerIndex() + whole.readableBytes()));
        passed.release();
        whole.release();
        assertNull(channel.readInbound());
    }

    @Test
    void passesOnTheWholeMessagesBeforeABadOneThenDropsEverything() {
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(Packets.message('S', ""));
        in.writeByte('Q').writeInt(2);
        assertThrows(ProtocolException.class, () -> channel.writeInbound(in));
        ByteBuf sync = channel.readInbound();
        assertEquals(5, sync.readableBytes());
        assertEquals('S', sync.getByte(0));
        sync.release();
        assertNull(channel.readInbound());
        assertEquals(0, in.refCnt());

        ByteBuf later = Packets.message('S', "");
        channel.writeInbound(later);
        assertNull(channel.readInbound(), "a broken stream cannot be resynchronised");
        assertEquals(0, later.refCnt());
    }

    @Test
    void rejectsLengthBelowFour() {
        ByteBuf bad = Unpooled.buffer().writeByte('Q').writeInt(3);
        ProtocolException e = assertThrows(ProtocolException.class, () -> channel.writeInbound(bad));
        assertEquals(SqlState.PROTOCOL_VIOLATION, e.sqlState());
        assertEquals("invalid message length 3 for message type 'Q'", e.getMessage());
    }

    @Test
    void rejectsMessagesOverTheLimitWithoutWaitingForTheirBody() {
        ByteBuf big = Unpooled.buffer().writeByte('Q').writeInt(65);
        ProtocolException e = assertThrows(ProtocolException.class, () -> channel.writeInbound(big));
        assertEquals(SqlState.PROGRAM_LIMIT_EXCEEDED, e.sqlState());
    }

    @Test
    void asksForMoreWhenAutoReadIsOffAndAReadCompletedNoMessage() {
        int[] reads = {0};
        EmbeddedChannel paused = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
            }
        }, new FrameDecoder(64));
        try {
            paused.config().setAutoRead(false);
            int before = reads[0];
            ByteBuf whole = Packets.message('Q', "select 1\0");
            paused.writeInbound(whole.retainedSlice(0, 4));
            assertEquals(before + 1, reads[0], "back-pressure must not strand a cut message");
            paused.writeInbound(whole.retainedSlice(4, whole.readableBytes() - 4));
            assertEquals(before + 1, reads[0], "a read that completed a message leaves reading to the pipeline");
            ByteBuf query = paused.readInbound();
            assertEquals(whole, query);
            query.release();
            whole.release();
        } finally {
            paused.finishAndReleaseAll();
        }
    }
}
