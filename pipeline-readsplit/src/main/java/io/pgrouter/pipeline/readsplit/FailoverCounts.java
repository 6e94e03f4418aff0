package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.pipeline.EventCounter;
import io.pgrouter.spi.pipeline.PipelineContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sessions a readsplit pipeline moved to a new primary, and sessions a failover ended; shared by
 * its sessions. Kept here for the pipeline's periodic log line, and counted for the monitors too
 * ({@code pgrouter_pipeline_events_total{event="sessions_moved"}} and {@code "sessions_ended_by_failover"}).
 */
final class FailoverCounts {
    static final String MOVED = "sessions_moved";
    static final String ENDED = "sessions_ended_by_failover";

    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final EventCounter movedEvents;
    private final EventCounter endedEvents;

    /** Counted here only (tests). */
    FailoverCounts() {
        this(EventCounter.NONE, EventCounter.NONE);
    }

    FailoverCounts(PipelineContext context) {
        this(context.counter(MOVED), context.counter(ENDED));
    }

    private FailoverCounts(EventCounter movedEvents, EventCounter endedEvents) {
        this.movedEvents = movedEvents;
        this.endedEvents = endedEvents;
    }

    void moved() {
        moved.incrementAndGet();
        movedEvents.increment();
    }

    void ended() {
        ended.incrementAndGet();
        endedEvents.increment();
    }

    long movedCount() {
        return moved.get();
    }

    long endedCount() {
        return ended.get();
    }
}
