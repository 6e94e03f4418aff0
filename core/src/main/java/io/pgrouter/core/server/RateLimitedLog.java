package io.pgrouter.core.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides when an event that may come in floods (a refused client, a failed accept) gets a log
 * line: at most one per interval, which then says how many occurred since the previous line, so
 * that the log stays readable and nothing goes uncounted. Thread-safe (every worker reports).
 */
final class RateLimitedLog {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLineAt;

    /** One line a second at most, by {@link System#nanoTime()}. */
    RateLimitedLog() {
        this(TimeUnit.SECONDS.toNanos(1), System::nanoTime);
    }

    RateLimitedLog(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.nextLineAt = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Counts one event; returns 0 when it gets no line, else how many events the line it gets
     * stands for (this one and those that got none since the previous line).
     */
    long occurred() {
        unlogged.incrementAndGet();
        long now = nanoClock.getAsLong();
        long due = nextLineAt.get();
        if (now - due >= 0 && nextLineAt.compareAndSet(due, now + intervalNanos)) {
            return unlogged.getAndSet(0);
        }
        return 0;
    }

    /** The tail of a line standing for {@code events}: empty for one, else how many more there were. */
    static String more(long events, String what) {
        return events > 1 ? "; " + (events - 1) + " more " + what + " since the last such line" : "";
    }
}
