package io.pgrouter.spi.monitor;

/** Live counters of the router, read without locks from any thread. */
public interface RouterStats {
    /** The number of worker (event loop) threads. */
    int workers();

    /** Client connections open now. */
    long clients();

    /** Backend connections open now. */
    long connections();

    /**
     * Requests sessions have sent to each backend since startup: Query, Sync (the end of an
     * extended-protocol group) and FunctionCall messages, one per statement or group. Shows where
     * the pipelines route. Backends never used are absent.
     */
    default java.util.Map<io.pgrouter.spi.cluster.Endpoint, Long> requests() {
        return java.util.Map.of();
    }

    /**
     * Since when pgrouter is paused (new requests of quiet sessions held, {@code pgrouter-cli
     * pause}); empty when it is not.
     */
    default java.util.Optional<java.time.Instant> pausedSince() {
        return java.util.Optional.empty();
    }

    /** Sessions holding a request until the pause ends. */
    default long heldSessions() {
        return 0;
    }
}
