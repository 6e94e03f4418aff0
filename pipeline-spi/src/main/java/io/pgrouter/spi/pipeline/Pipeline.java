package io.pgrouter.spi.pipeline;

/**
 * A configured pipeline: global state shared by all sessions (pgagroal's initialize/destroy and
 * periodic), and the factory of per-session handlers.
 *
 * <p>{@link #start} is called on the event loop thread of the new session, concurrently for
 * different sessions: shared state must be thread-safe. {@link #periodic} and {@link #close}
 * are called from core's timer and shutdown, never concurrently with each other.
 */
public interface Pipeline extends AutoCloseable {
    /**
     * As pgagroal's {@code start} hook: a client finished its startup packet. Returns the handler of
     * this session; all its callbacks then run on the session's event loop, one at a time.
     */
    SessionPipeline start(Session session);

    /** As pgagroal's {@code periodic} hook: called about once a second. Must not block. */
    default void periodic() {
    }

    /** As pgagroal's {@code destroy} hook: pgrouter is shutting down; sessions are already stopped. */
    @Override
    default void close() {
    }
}
