package io.pgrouter.core.protocol;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that messages held whole may take, across every connection ({@code max_buffered}).
 *
 * <p>A message that one read brings whole costs nothing here: it goes on as a slice of the read
 * buffer, and a connection reads no more while what it read is not written (back-pressure). Only
 * a message larger than {@link #HELD_FROM}, cut by the end of a read, must be kept until its tail
 * arrives; its buffer is taken from this budget when its length is known (before any of it is
 * copied) and given back when the buffer is freed, that is when the last holder (a pipeline, a
 * client hold, a channel's outbound buffer) lets go of it. What holds it does not matter, so no
 * holder counts anything itself.
 *
 * <p>Thread-safe: every worker takes from the one budget; only messages of more than
 * {@link #HELD_FROM} bytes touch it.
 */
public final class BufferBudget {
    /**
     * Messages up to this size are kept in pooled buffers, not counted: at most one per
     * connection, about the size of one read.
     */
    public static final int HELD_FROM = 64 * 1024;
    /** No limit: for tests and tools that frame messages outside a server. */
    public static final BufferBudget UNLIMITED = new BufferBudget(Long.MAX_VALUE);

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public BufferBudget(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max_buffered must be positive: " + max);
        }
        this.max = max;
    }

    /**
     * The default {@code max_buffered}: half of the direct memory the JVM may allocate
     * ({@code -XX:MaxDirectMemorySize}, which defaults to the heap's maximum), where held messages
     * live; the other half is for the read and write buffers of every connection.
     */
    public static long defaultMax() {
        return directMemoryLimit() / 2;
    }

    /** The JVM's direct-memory limit: {@code -XX:MaxDirectMemorySize}, or the heap's maximum when not set. */
    public static long directMemoryLimit() {
        long set = 0;
        try {
            set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
        } catch (RuntimeException e) {
            // not HotSpot: the JDK's own default applies
        }
        return set > 0 ? set : Runtime.getRuntime().maxMemory();
    }

    public long max() {
        return max;
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    /**
     * A direct buffer of exactly {@code capacity} bytes counted against the budget until it is
     * freed; null when the budget (or the JVM's direct memory) cannot hold it.
     */
    public ByteBuf allocate(ByteBufAllocator alloc, int capacity) {
        if (!reserve(capacity)) {
            return null;
        }
        try {
            return new Held(alloc, capacity, this);
        } catch (OutOfMemoryError e) {
            // -XX:MaxDirectMemorySize reached by other buffers: as good as a spent budget.
            release(capacity);
            return null;
        }
    }

    /** What a client is told when a message of {@code bytes} does not fit. */
    public String refusal(long bytes) {
        return "pgrouter: buffering " + bytes + " bytes for this message would exceed max_buffered (" + max
                + " bytes, " + used() + " in use by other messages)";
    }

    private boolean reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (bytes > max - now) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    private void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** A direct buffer that gives its bytes back to the budget when freed. */
    private static final class Held extends UnpooledDirectByteBuf {
        private final BufferBudget budget;
        private final int reserved;

        Held(ByteBufAllocator alloc, int capacity, BufferBudget budget) {
            super(alloc, capacity, capacity);
            this.budget = budget;
            this.reserved = capacity;
        }

        @Override
        protected void deallocate() {
            try {
                super.deallocate();
            } finally {
                budget.release(reserved);
            }
        }
    }
}
