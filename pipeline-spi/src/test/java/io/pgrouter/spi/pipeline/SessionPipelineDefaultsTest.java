package io.pgrouter.spi.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The defaults that split one read's messages for pipelines that take them one at a time. */
class SessionPipelineDefaultsTest {
    private final List<ByteBuf> fromClient = new ArrayList<>();
    private final List<ByteBuf> fromServer = new ArrayList<>();
    private final SessionPipeline oneAtATime = new SessionPipeline() {
        @Override
        public void client(ByteBuf message) {
            fromClient.add(message);
        }

        @Override
        public void server(Backend backend, ByteBuf message) {
            fromServer.add(message);
        }

        @Override
        public void backendClosed(Backend backend, Throwable cause) {
        }

        @Override
        public void stop() {
        }
    };

    @AfterEach
    void releaseAll() {
        fromClient.forEach(ByteBuf::release);
        fromServer.forEach(ByteBuf::release);
    }

    /** Parse, Bind, Execute, Sync as pgbench -M extended sends them, in one buffer. */
    private static ByteBuf extendedGroup() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer();
        b.writeByte('P').writeInt(4 + 12).writeBytes("\0select 1\0".getBytes()).writeShort(0);
        b.writeByte('B').writeInt(4 + 8).writeZero(8);
        b.writeByte('E').writeInt(4 + 5).writeByte(0).writeInt(0);
        b.writeByte('S').writeInt(4);
        return b;
    }

    @Test
    void clientMessagesHandsEachMessageOnAsASliceOfItsOwnAndReleasesTheBuffer() {
        ByteBuf group = extendedGroup();
        ByteBuf underlying = group;
        oneAtATime.clientMessages(group);

        assertEquals(4, fromClient.size());
        assertEquals(List.of('P', 'B', 'E', 'S'), fromClient.stream().map(m -> (char) m.getByte(m.readerIndex())).toList());
        assertEquals(List.of(17, 13, 10, 5), fromClient.stream().map(ByteBuf::readableBytes).toList());
        assertEquals(4, underlying.refCnt(), "only the slices hold the buffer now");
    }

    @Test
    void serverMessagesDoesTheSameForABackendsAnswer() {
        ByteBuf answer = PooledByteBufAllocator.DEFAULT.directBuffer();
        answer.writeByte('C').writeInt(4 + 9).writeBytes("SELECT 1\0".getBytes());
        answer.writeByte('Z').writeInt(5).writeByte('I');
        oneAtATime.serverMessages(null, answer);

        assertEquals(2, fromServer.size());
        assertEquals('Z', fromServer.get(1).getByte(fromServer.get(1).readerIndex()));
        assertEquals(6, fromServer.get(1).readableBytes());
    }

    @Test
    void messagesWalksInPlace() {
        ByteBuf group = extendedGroup();
        try {
            assertTrue(Messages.contains(group, (byte) 'E'));
            assertFalse(Messages.contains(group, (byte) 'X'));
            int at = group.readerIndex();
            at = Messages.next(group, at);
            assertEquals('B', group.getByte(at));
            IdleTracker state = new IdleTracker();
            state.sent((byte) 'S');
            ByteBuf ready = group.alloc().buffer().writeByte('Z').writeInt(5).writeByte('I');
            assertTrue(state.received(ready, 0));
            assertTrue(state.idle());
            ready.release();
        } finally {
            group.release();
        }
    }
}
