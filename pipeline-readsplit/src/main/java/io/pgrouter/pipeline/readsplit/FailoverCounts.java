package io.pgrouter.pipeline.readsplit;

import java.util.concurrent.atomic.AtomicLong;

/** Sessions a readsplit pipeline moved to a new primary, and sessions a failover ended; shared by its sessions. */
final class FailoverCounts {
    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    void moved() {
        moved.incrementAndGet();
    }

    void ended() {
        ended.incrementAndGet();
    }

    long movedCount() {
        return moved.get();
    }

    long endedCount() {
        return ended.get();
    }
}
