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
     * Client requests the pipeline routed to each backend since startup, by kind (see
     * {@link io.pgrouter.spi.pipeline.Session#routed}): every kind of a backend is present once
     * the backend has had a connection. Backends never used are absent.
     */
    default java.util.Map<io.pgrouter.spi.cluster.Endpoint, java.util.Map<io.pgrouter.spi.pipeline.Routed, Long>> routed() {
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

    /** Bytes held now by messages kept whole across reads ({@code max_buffered} bounds them). */
    default long bufferedBytes() {
        return 0;
    }

    /** The budget of {@link #bufferedBytes()}: {@code max_buffered}; 0 when not known. */
    default long maxBuffered() {
        return 0;
    }

    /**
     * Since when pgrouter is draining ({@code pgrouter-cli drain}: no new clients, exits when the
     * last session ends); empty when it is not.
     */
    default java.util.Optional<java.time.Instant> drainingSince() {
        return java.util.Optional.empty();
    }

    /** Client sessions open now, logging in or logged in (what a drain waits for). */
    default long sessions() {
        return clients();
    }

    /** Statement durations through the pipeline since startup; empty when not measured. */
    default java.util.Optional<StatementLatency> statementLatency() {
        return java.util.Optional.empty();
    }

    /**
     * Clients whose login pgrouter refused since startup, by reason: {@code hba} (no rule lets
     * them in, or a reject rule), {@code password} (a wrong password or proof), {@code unknown_user}
     * (not in the authdb), {@code timeout} (authentication_timeout passed). Reasons never seen are absent.
     */
    default java.util.Map<String, Long> authFailures() {
        return java.util.Map.of();
    }

    /**
     * The pipeline's own events since startup, by name ({@link
     * io.pgrouter.spi.pipeline.PipelineContext#counter}): every counter the pipeline asked for,
     * from 0.
     */
    default java.util.Map<String, Long> pipelineEvents() {
        return java.util.Map.of();
    }
}
