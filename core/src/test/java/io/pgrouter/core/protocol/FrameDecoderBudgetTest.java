package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the frame decoder takes from the shared {@link BufferBudget} for messages cut across reads. */
class FrameDecoderBudgetTest {
    private static final int LARGE = 100 * 1024; // past BufferBudget.HELD_FROM: held in a budget buffer
    private final BufferBudget budget = new BufferBudget(150 * 1024);
    private final EmbeddedChannel first = new EmbeddedChannel(new FrameDecoder(1 << 30, budget));
    private final EmbeddedChannel second = new EmbeddedChannel(new FrameDecoder(1 << 30, budget));

    @AfterEach
    void finish() {
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    @Test
    void aLargeCutMessageCountsFromItsHeaderUntilItsBufferIsFreed() {
        ByteBuf whole = query(LARGE);
        first.writeInbound(whole.retainedSlice(0, 1000));
        assertEquals(LARGE, budget.used(), "taken whole as soon as the length is known, before the body");
        first.writeInbound(whole.retainedSlice(1000, LARGE - 1000 - 10));
        assertNull(first.readInbound());
        ByteBuf tailAndNext = Unpooled.buffer().writeBytes(whole, LARGE - 10, 10).writeBytes(Packets.message('S', ""));
        first.writeInbound(tailAndNext);

        ByteBuf query = first.readInbound();
        assertEquals(whole, query, "the message, in one buffer");
        ByteBuf sync = first.readInbound();
        assertEquals('S', sync.getByte(sync.readerIndex()), "what followed it in the read goes on after it");
        sync.release();
        assertEquals(LARGE, budget.used(), "a holder (the pipeline, an outbound buffer) still has it");
        query.release();
        assertEquals(0, budget.used(), "given back when freed");
        whole.release();
    }

    @Test
    void aMessageTheBudgetCannotHoldNowIsDroppedToItsEndThenRefusedWith53200() {
        ByteBuf held = query(LARGE);
        first.writeInbound(held.retainedSlice(0, 1000)); // first session holds 100 of the 150 kB
        ByteBuf refused = query(LARGE);
        second.writeInbound(refused.retainedSlice(0, 1000));
        assertEquals(LARGE, budget.used(), "the second message took nothing");
        second.writeInbound(refused.retainedSlice(1000, LARGE - 2000));
        second.checkException(); // still reading: the client gets its error once it has sent all

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> second.writeInbound(refused.retainedSlice(LARGE - 1000, 1000)));
        assertEquals(SqlState.OUT_OF_MEMORY, e.sqlState());
        assertEquals("pgrouter: buffering " + LARGE + " bytes for this message would exceed max_buffered (153600 bytes, "
                + LARGE + " in use by other messages)", e.getMessage());
        assertNull(second.readInbound());

        first.writeInbound(held.retainedSlice(1000, LARGE - 1000));
        ByteBuf passed = first.readInbound();
        assertEquals(held, passed, "the other session carries on");
        passed.release();
        held.release();
        refused.release();
        assertEquals(0, budget.used());
    }

    @Test
    void aMessageLargerThanTheWholeBudgetGets53200EvenPastMaxMessageSize() {
        EmbeddedChannel small = new EmbeddedChannel(new FrameDecoder(64 * 1024, budget));
        try {
            ByteBuf header = Unpooled.buffer().writeByte('Q').writeInt(200 * 1024);
            small.writeInbound(header);
            small.checkException();
            ByteBuf body = Unpooled.buffer().writeZero(200 * 1024 - 4);
            ProtocolException e = assertThrows(ProtocolException.class, () -> small.writeInbound(body));
            assertEquals(SqlState.OUT_OF_MEMORY, e.sqlState());
            assertTrue(e.getMessage().contains("exceed max_buffered"), e.getMessage());
            assertEquals(0, budget.used());
        } finally {
            small.finishAndReleaseAll();
        }
    }

    /** A Query message of {@code size} bytes in all. */
    private static ByteBuf query(int size) {
        ByteBuf m = Unpooled.buffer(size).writeByte('Q').writeInt(size - 1);
        while (m.writerIndex() < size - 1) {
            m.writeByte('x');
        }
        return m.writeByte(0);
    }
}
