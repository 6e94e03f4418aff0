package io.pgrouter.spi.testkit;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/** Allocates like Netty's unpooled allocator and remembers every buffer, to check they were all released. */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** The messages as one read, in one buffer (the one message itself when there is one); the messages are released. */
    ByteBuf oneRead(ByteBuf... messages) {
        if (messages.length == 1) {
            return messages[0];
        }
        int bytes = 0;
        for (ByteBuf m : messages) {
            bytes += m.readableBytes();
        }
        ByteBuf all = buffer(bytes);
        for (ByteBuf m : messages) {
            all.writeBytes(m);
            m.release();
        }
        return all;
    }

    /** The buffers allocated and not released, with their readable bytes' first byte as a hint. */
    List<String> unreleased() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b : allocated) {
            if (b.refCnt() > 0) {
                out.add(b.capacity() > 0 ? "'" + (char) b.getByte(0) + "' (" + b.writerIndex() + " bytes, refCnt "
                        + b.refCnt() + ")" : "empty buffer");
            }
        }
        return out;
    }
}
