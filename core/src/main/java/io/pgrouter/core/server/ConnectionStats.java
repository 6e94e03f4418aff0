package io.pgrouter.core.server;

import io.pgrouter.core.protocol.BufferBudget;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** Live connection counters, updated by the event loops and read by monitors. */
public final class ConnectionStats implements RouterStats {
    private final int workers;
    private final Sessions sessions;
    /** Admitted clients: compared with max_clients at each accept, so a counter rather than an adder. */
    private final java.util.concurrent.atomic.AtomicLong clients = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder connections = new LongAdder();
    private final ConcurrentMap<Endpoint, LongAdder> requests = new ConcurrentHashMap<>();
    /** Per backend, one adder per {@link Routed} kind, indexed by its ordinal. */
    private final ConcurrentMap<Endpoint, LongAdder[]> routed = new ConcurrentHashMap<>();

    private final BufferBudget budget;

    private final StatementLatencies latencies;
    private final ConcurrentMap<String, LongAdder> authFailures = new ConcurrentHashMap<>();
    private final PipelineEvents pipelineEvents;

    public ConnectionStats(int workers) {
        this(workers, new Sessions(), BufferBudget.UNLIMITED, "none", new PipelineEvents());
    }

    ConnectionStats(int workers, Sessions sessions, BufferBudget budget, String pipeline, PipelineEvents pipelineEvents) {
        this.workers = workers;
        this.pipelineEvents = pipelineEvents;
        this.sessions = sessions;
        this.budget = budget;
        this.latencies = new StatementLatencies(pipeline);
    }

    @Override
    public java.util.Optional<io.pgrouter.spi.monitor.StatementLatency> statementLatency() {
        return java.util.Optional.of(latencies.snapshot());
    }

    @Override
    public Map<String, Long> authFailures() {
        Map<String, Long> out = new TreeMap<>();
        authFailures.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }

    @Override
    public Map<String, Long> pipelineEvents() {
        return pipelineEvents.snapshot();
    }

    StatementLatencies latencies() {
        return latencies;
    }

    /** A login pgrouter refused, for this reason (see {@link #authFailures()}). */
    void authFailed(String reason) {
        authFailures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public long bufferedBytes() {
        return budget.used();
    }

    @Override
    public long maxBuffered() {
        return budget == BufferBudget.UNLIMITED ? 0 : budget.max();
    }

    @Override
    public java.util.Optional<java.time.Instant> pausedSince() {
        return sessions.pausedSince();
    }

    @Override
    public java.util.Optional<java.time.Instant> drainingSince() {
        return sessions.drainingSince();
    }

    @Override
    public long sessions() {
        return sessions.count();
    }

    @Override
    public long heldSessions() {
        return sessions.heldCount();
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public long clients() {
        return clients.get();
    }

    @Override
    public long connections() {
        return connections.sum();
    }

    @Override
    public Map<Endpoint, Long> requests() {
        Map<Endpoint, Long> out = new TreeMap<>(java.util.Comparator.comparing(Endpoint::toString));
        requests.forEach((address, count) -> out.put(address, count.sum()));
        return out;
    }

    /** The counter of requests to a backend; a backend connection looks it up once. */
    LongAdder requestCounter(Endpoint address) {
        return requests.computeIfAbsent(address, a -> new LongAdder());
    }

    @Override
    public Map<Endpoint, Map<Routed, Long>> routed() {
        Map<Endpoint, Map<Routed, Long>> out = new TreeMap<>(java.util.Comparator.comparing(Endpoint::toString));
        routed.forEach((address, counters) -> {
            Map<Routed, Long> kinds = new EnumMap<>(Routed.class);
            for (Routed kind : Routed.values()) {
                kinds.put(kind, counters[kind.ordinal()].sum());
            }
            out.put(address, kinds);
        });
        return out;
    }

    /**
     * The counters of requests routed to a backend, one per {@link Routed} kind by ordinal; a
     * backend connection looks them up once, so counting a request is one adder's increment.
     */
    LongAdder[] routedCounters(Endpoint address) {
        return routed.computeIfAbsent(address, a -> {
            LongAdder[] counters = new LongAdder[Routed.values().length];
            java.util.Arrays.setAll(counters, i -> new LongAdder());
            return counters;
        });
    }

    /** Counts an accepted client in, unless {@code maxClients} are in already; whether it is in. */
    boolean admit(int maxClients) {
        long now;
        do {
            now = clients.get();
            if (now >= maxClients) {
                return false;
            }
        } while (!clients.compareAndSet(now, now + 1));
        return true;
    }

    void clientClosed() {
        clients.decrementAndGet();
    }

    void backendOpened() {
        connections.increment();
    }

    void backendClosed() {
        connections.decrement();
    }
}
