package io.pgrouter.core.server;

import io.pgrouter.spi.pipeline.Routed;
import java.util.concurrent.atomic.LongAdder;

/**
 * One backend connection's way into the routed counts of its backend ({@link ConnectionStats#routed()}):
 * the backend's adders, looked up once per connection, and the kind every request counts as
 * while its session's pipeline said so ({@link io.pgrouter.spi.pipeline.Session#routedAll}).
 * Used on the connection's event loop only; the adders are read from any thread.
 */
final class RoutedCounter {
    private final LongAdder[] counters;
    /** Set by routedAll: every request sent counts as this; null: only what the pipeline reports. */
    private Routed all;

    RoutedCounter(LongAdder[] counters) {
        this.counters = counters;
    }

    /** A request the pipeline reported routed here. */
    void count(Routed kind) {
        counters[kind.ordinal()].increment();
    }

    /** From now on (until {@link #reset}) every request sent counts as {@code kind}. */
    void countAll(Routed kind) {
        all = kind;
    }

    /** Requests core saw sent on the connection: counted when the pipeline asked for it. */
    void sent(int requests) {
        if (all != null) {
            counters[all.ordinal()].add(requests);
        }
    }

    /** The connection leaves its session: the next session's pipeline decides anew. */
    void reset() {
        all = null;
    }
}
