package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundRunTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final OutboundRun run = new OutboundRun();
    private final ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(64)
            .writeBytes("AAAABBBBBBCCCDDDD".getBytes(StandardCharsets.US_ASCII));

    @AfterEach
    void release() {
        run.discard();
        channel.finishAndReleaseAll();
        assertEquals(1, read.refCnt(), "every slice handed to the run was released exactly once");
        read.release();
    }

    @Test
    void adjacentSlicesOfOneReadLeaveAsOneWrite() {
        run.add(channel, read.retainedSlice(0, 4));
        run.add(channel, read.retainedSlice(4, 6));
        run.add(channel, read.retainedSlice(10, 3));
        run.writePending(channel);
        channel.flush();
        ByteBuf written = channel.readOutbound();
        assertEquals("AAAABBBBBBCCC", written.toString(StandardCharsets.US_ASCII));
        written.release();
        assertNull(channel.readOutbound());
    }

    @Test
    void aGapOrAnotherBufferStartsANewWrite() {
        ByteBuf other = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes("XY".getBytes(StandardCharsets.US_ASCII));
        run.add(channel, read.retainedSlice(0, 4));
        run.add(channel, read.retainedSlice(10, 3)); // skips BBBBBB: not adjacent
        run.add(channel, other);
        run.add(channel, read.retainedSlice(13, 4));
        run.writePending(channel);
        channel.flush();
        for (String expected : new String[] {"AAAA", "CCC", "XY", "DDDD"}) {
            ByteBuf written = channel.readOutbound();
            assertEquals(expected, written.toString(StandardCharsets.US_ASCII));
            written.release();
        }
        assertNull(channel.readOutbound());
    }

    @Test
    void discardReleasesWhatIsPending() {
        run.add(channel, read.retainedSlice(0, 4));
        run.add(channel, read.retainedSlice(4, 6));
        run.discard();
        run.writePending(channel);
        channel.flush();
        assertNull(channel.readOutbound());
    }
}
