package io.pgrouter.spi.pipeline;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts one kind of event of a pipeline since pgrouter started (readsplit's sessions moved to a
 * new primary, say): {@link PipelineContext#counter} hands them out and the monitors show them.
 * Thread-safe and cheap: any session's event loop may count, anyone may read.
 */
public final class EventCounter {
    private final LongAdder count = new LongAdder();

    public void increment() {
        count.increment();
    }

    public void add(long n) {
        count.add(n);
    }

    /** The events counted so far. */
    public long count() {
        return count.sum();
    }
}
