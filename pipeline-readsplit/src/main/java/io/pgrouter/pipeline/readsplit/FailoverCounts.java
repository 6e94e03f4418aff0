package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.pipeline.EventCounter;
import io.pgrouter.spi.pipeline.PipelineContext;

/**
 * Sessions a readsplit pipeline moved to a new primary, and sessions a failover ended; shared by
 * its sessions. Read for the pipeline's periodic log line, and shown by the monitors
 * ({@code pgrouter_pipeline_events_total{event="sessions_moved"}} and {@code "sessions_ended_by_failover"}).
 */
final class FailoverCounts {
    static final String MOVED = "sessions_moved";
    static final String ENDED = "sessions_ended_by_failover";

    private final EventCounter moved;
    private final EventCounter ended;

    /** Counted here only (tests). */
    FailoverCounts() {
        this(new EventCounter(), new EventCounter());
    }

    FailoverCounts(PipelineContext context) {
        this(context.counter(MOVED), context.counter(ENDED));
    }

    private FailoverCounts(EventCounter moved, EventCounter ended) {
        this.moved = moved;
        this.ended = ended;
    }

    void moved() {
        moved.increment();
    }

    void ended() {
        ended.increment();
    }

    long movedCount() {
        return moved.count();
    }

    long endedCount() {
        return ended.count();
    }
}
