package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Coalesces writes of messages that lie back to back in one read buffer into a single write.
 *
 * <p>A backend's answer to a query (RowDescription, DataRows, CommandComplete, ReadyForQuery)
 * usually arrives in one read and leaves as consecutive slices of that buffer. Writing them as
 * one slice saves an outbound-buffer entry, a pipeline traversal and an iovec per message, which
 * is most of what relaying costs. Messages that are not adjacent are written as they are.
 */
final class OutboundRun {
    private ByteBuf first;
    private int extraBytes;

    /** Takes over the caller's reference. */
    void add(Channel channel, ByteBuf message) {
        if (first != null) {
            if (adjacent(first, extraBytes, message)) {
                extraBytes += message.readableBytes();
                message.release(); // the run's slice covers it; the parent stays retained by `first`
                return;
            }
            writePending(channel);
        }
        first = message;
    }

    /** Writes what is pending (no flush). */
    void writePending(Channel channel) {
        if (first == null) {
            return;
        }
        ByteBuf run = first;
        if (extraBytes > 0) {
            ByteBuf parent = root(first);
            int index = (int) (first.memoryAddress() - parent.memoryAddress()) + first.readerIndex();
            run = parent.retainedSlice(index, first.readableBytes() + extraBytes);
            first.release();
        }
        first = null;
        extraBytes = 0;
        channel.write(run, channel.voidPromise());
    }

    boolean isEmpty() {
        return first == null;
    }

    /** Drops what is pending, for a channel that closed. */
    void discard() {
        if (first != null) {
            first.release();
            first = null;
            extraBytes = 0;
        }
    }

    /** The buffer a slice was cut from, through any wrappers (such as the leak detector's). */
    private static ByteBuf root(ByteBuf buf) {
        ByteBuf b = buf;
        while (b.unwrap() != null) {
            b = b.unwrap();
        }
        return b;
    }

    private static boolean adjacent(ByteBuf first, int extra, ByteBuf next) {
        if (!first.hasMemoryAddress() || !next.hasMemoryAddress()) {
            return false;
        }
        ByteBuf parent = root(first);
        return parent != first && root(next) == parent && parent.hasMemoryAddress()
                && first.memoryAddress() + first.readerIndex() + first.readableBytes() + extra
                        == next.memoryAddress() + next.readerIndex();
    }
}
