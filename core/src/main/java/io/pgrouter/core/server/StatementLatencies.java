package io.pgrouter.core.server;

import io.pgrouter.spi.monitor.StatementLatency;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The histogram of statement durations of every session: a fixed set of buckets, each a
 * {@link LongAdder} (cells per contending thread, so the workers do not fight over one counter
 * and nothing is allocated per statement), summed when a monitor asks.
 */
final class StatementLatencies {
    /** Upper bounds in seconds: sub-millisecond reads on a LAN up to statements of many seconds. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * TimeUnit.SECONDS.toNanos(1));
        }
    }

    private final String pipeline;
    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    StatementLatencies(String pipeline) {
        this.pipeline = pipeline;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    StatementLatency snapshot() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return new StatementLatency(pipeline, BOUNDS, counts, sumNanos.sum() / 1e9);
    }
}
