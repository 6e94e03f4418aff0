package io.pgrouter.core.server;

import io.pgrouter.spi.monitor.RouterStats;
import java.util.concurrent.atomic.LongAdder;

/** Live connection counters, updated by the event loops and read by monitors. */
public final class ConnectionStats implements RouterStats {
    private final int workers;
    private final LongAdder clients = new LongAdder();
    private final LongAdder connections = new LongAdder();

    public ConnectionStats(int workers) {
        this.workers = workers;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public long clients() {
        return clients.sum();
    }

    @Override
    public long connections() {
        return connections.sum();
    }

    void clientOpened() {
        clients.increment();
    }

    void clientClosed() {
        clients.decrement();
    }

    void backendOpened() {
        connections.increment();
    }

    void backendClosed() {
        connections.decrement();
    }
}
