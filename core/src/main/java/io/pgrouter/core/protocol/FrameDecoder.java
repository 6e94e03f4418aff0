package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Cuts the byte stream at message boundaries (type byte, length, body) and passes on each run of
 * whole messages that a read completed as one buffer: no copy, no decoding, one object however
 * many messages a read brought. What the messages mean is the pipeline's business.
 *
 * <p>This is on every read of every connection, so it is not a {@code ByteToMessageDecoder}: a
 * read that ends on a message boundary (nearly all of them) is passed on as it is, without the
 * slice, output list and cumulation bookkeeping that class spends on each read. Only a message
 * cut by the end of a read is kept, until its tail arrives.
 *
 * <p>A malformed header ends decoding for good: a broken stream cannot be resynchronised, so
 * what follows is dropped and the {@link ProtocolException} goes to {@code exceptionCaught}
 * (the whole messages before the bad one still go on, as they would have one by one).
 *
 * <p>A message larger than {@link BufferBudget#HELD_FROM} that is cut is kept in a buffer of its
 * whole size taken from the {@link BufferBudget}. When the budget cannot hold it, the message is
 * read to its end and dropped, then a {@link ProtocolException} with 53200 goes to
 * {@code exceptionCaught}: a client that writes all of a large message before it reads (pgjdbc,
 * libpq) then reads the error instead of failing on a reset connection.
 */
public final class FrameDecoder extends ChannelInboundHandlerAdapter {
    private static final int HEADER = 1 + ProtocolCodes.LENGTH_BYTES;

    private final int maxMessageSize;
    private final BufferBudget budget;
    /** The start of a message cut by the end of a read, with room for the rest where known. */
    private ByteBuf cut;
    /** The whole size of {@link #cut} when it is a buffer of the budget's, else 0. */
    private int heldSize;
    /** A message the budget could not hold, until its last byte has been read and dropped. */
    private ProtocolException refused;
    /** Bytes of the {@link #refused} message still to drop. */
    private long dropping;
    /** Set when a header was malformed: nothing is decoded after it. */
    private ProtocolException violation;
    /** Whether anything went on since the last read completed: if not, ask for more (below). */
    private boolean passedOn;

    public FrameDecoder(int maxMessageSize) {
        this(maxMessageSize, BufferBudget.UNLIMITED);
    }

    public FrameDecoder(int maxMessageSize, BufferBudget budget) {
        this.maxMessageSize = maxMessageSize;
        this.budget = budget;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf read)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (violation != null) {
            read.release();
            return;
        }
        if (refused != null) {
            drop(ctx, read);
            return;
        }
        ByteBuf in;
        if (heldSize > 0) {
            in = completeHeld(ctx, read);
            if (in == null) {
                return;
            }
        } else {
            in = cut == null ? read : append(ctx, read);
            cut = null;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        int at = wholeMessagesEnd(in, start, end);
        if (refused != null) {
            passOn(ctx, in, start, at);
            in.release();
            if (dropping == 0) {
                reportRefusal(ctx);
            }
            return;
        }
        if (violation != null) {
            passOn(ctx, in, start, at);
            in.release();
            ctx.fireExceptionCaught(violation);
            return;
        }
        if (at == end) {
            passedOn = true;
            ctx.fireChannelRead(in);
        } else {
            passOn(ctx, in, start, at);
            in.readerIndex(at);
            keep(in, at, end);
        }
    }

    /**
     * Keeps the message cut at {@code at}: in the read buffer itself while it is small or its
     * length unknown, else in a buffer of its whole size from the budget, or, when the budget
     * cannot hold it, not at all (it is dropped as it arrives). Takes the reference to {@code in}.
     */
    private void keep(ByteBuf in, int at, int end) {
        int whole = end - at >= HEADER ? 1 + in.getInt(at + 1) : 0;
        if (whole <= BufferBudget.HELD_FROM) {
            cut = in;
            return;
        }
        ByteBuf held = budget.allocate(in.alloc(), whole);
        if (held == null) {
            refuse(whole, end - at);
            in.release();
            return;
        }
        held.writeBytes(in, at, end - at);
        in.release();
        cut = held;
        heldSize = whole;
    }

    /**
     * The next read for the held message: the message goes on once whole; returns what the read
     * has after it, or null when nothing (the read is then released).
     */
    private ByteBuf completeHeld(ChannelHandlerContext ctx, ByteBuf read) {
        int missing = heldSize - cut.readableBytes();
        if (read.readableBytes() < missing) {
            cut.writeBytes(read);
            read.release();
            return null;
        }
        cut.writeBytes(read, read.readerIndex(), missing);
        read.skipBytes(missing);
        ByteBuf message = cut;
        cut = null;
        heldSize = 0;
        passedOn = true;
        ctx.fireChannelRead(message);
        if (!read.isReadable()) {
            read.release();
            return null;
        }
        return read;
    }

    /** A message of {@code whole} bytes the budget cannot hold, of which {@code arrived} are read. */
    private void refuse(long whole, long arrived) {
        refused = new ProtocolException(SqlState.OUT_OF_MEMORY, budget.refusal(whole));
        dropping = Math.max(0, whole - arrived);
    }

    /** Drops the refused message's bytes; at its end, reports it. */
    private void drop(ChannelHandlerContext ctx, ByteBuf read) {
        long n = Math.min(dropping, read.readableBytes());
        dropping -= n;
        read.release();
        if (dropping == 0) {
            reportRefusal(ctx);
        }
    }

    /** Nothing is decoded after a refused message: the session ends with its error. */
    private void reportRefusal(ChannelHandlerContext ctx) {
        violation = refused;
        refused = null;
        ctx.fireExceptionCaught(violation);
    }

    private void passOn(ChannelHandlerContext ctx, ByteBuf in, int start, int end) {
        if (end > start) {
            passedOn = true;
            ctx.fireChannelRead(in.retainedSlice(start, end - start));
        }
    }

    /**
     * Where the run of whole messages from {@code start} ends: {@code end} when the read ended on
     * a boundary, else the start of the message it cut, or of a malformed one (then
     * {@link #violation} says what is wrong with it).
     */
    private int wholeMessagesEnd(ByteBuf in, int start, int end) {
        int at = start;
        while (end - at >= HEADER) {
            int length = in.getInt(at + 1);
            if (length < ProtocolCodes.LENGTH_BYTES) {
                violation = new ProtocolException(SqlState.PROTOCOL_VIOLATION,
                        "invalid message length " + length + " for message type '" + printable(in.getByte(at)) + "'");
                return at;
            }
            if (length > maxMessageSize && 1L + length > budget.max()) {
                refuse(1 + length, end - at); // could never be held: the budget's error, not the size limit's
                return at;
            }
            if (length > maxMessageSize) {
                violation = new ProtocolException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                        "message of " + length + " bytes exceeds the limit of " + maxMessageSize + " bytes");
                return at;
            }
            if (end - at - 1 < length) {
                return at;
            }
            at += 1 + length;
        }
        return at;
    }

    /**
     * The cut message followed by this read. When the cut message's length is known its buffer
     * gets room for all of it at once, so a large message costs one copy, not one per read.
     */
    private ByteBuf append(ChannelHandlerContext ctx, ByteBuf read) {
        ByteBuf head = cut;
        int needed = head.readableBytes() + read.readableBytes();
        if (head.writableBytes() < read.readableBytes()) {
            int whole = head.readableBytes() >= HEADER ? 1 + head.getInt(head.readerIndex() + 1) : 0;
            ByteBuf bigger = ctx.alloc().ioBuffer(Math.max(needed, whole));
            bigger.writeBytes(head, head.readerIndex(), head.readableBytes());
            head.release();
            head = bigger;
        }
        head.writeBytes(read);
        read.release();
        return head;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // With auto-read off (back-pressure), a read that completed no message would otherwise be
        // the last one: the tail of the cut message must still be read.
        if (!passedOn && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        passedOn = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropCut();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        dropCut();
    }

    private void dropCut() {
        if (cut != null) {
            ReferenceCountUtil.safeRelease(cut);
            cut = null;
            heldSize = 0;
        }
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
