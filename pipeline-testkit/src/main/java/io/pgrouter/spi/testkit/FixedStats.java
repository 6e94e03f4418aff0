package io.pgrouter.spi.testkit;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import java.util.Map;

/**
 * Router counters with fixed values, for tests of what monitors render: the three counts every
 * {@link RouterStats} has, and optionally requests and routed counts per backend. A test that is
 * about another counter overrides it in a subclass ({@code new FixedStats(2, 5, 1) { ... }}).
 */
public class FixedStats implements RouterStats {
    private final int workers;
    private final long clients;
    private final long connections;
    private Map<Endpoint, Long> requests = Map.of();
    private Map<Endpoint, Map<Routed, Long>> routed = Map.of();

    public FixedStats(int workers, long clients, long connections) {
        this.workers = workers;
        this.clients = clients;
        this.connections = connections;
    }

    /** What {@link #requests()} answers from now on, as given (its order is the test's). */
    public FixedStats requests(Map<Endpoint, Long> perBackend) {
        this.requests = perBackend;
        return this;
    }

    /** What {@link #routed()} answers from now on, as given. */
    public FixedStats routed(Map<Endpoint, Map<Routed, Long>> perBackend) {
        this.routed = perBackend;
        return this;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public long clients() {
        return clients;
    }

    @Override
    public long connections() {
        return connections;
    }

    @Override
    public Map<Endpoint, Long> requests() {
        return requests;
    }

    @Override
    public Map<Endpoint, Map<Routed, Long>> routed() {
        return routed;
    }
}
