package io.pgrouter.spi.pipeline;

/**
 * Counts one kind of event of a pipeline since pgrouter started (readsplit's sessions moved to a
 * new primary, say), for the monitors: {@link PipelineContext#counter}. Thread-safe and cheap:
 * any session's event loop may count.
 */
@FunctionalInterface
public interface EventCounter {
    /** Counts nothing: what a context without monitors hands out. */
    EventCounter NONE = n -> {
    };

    void add(long n);

    default void increment() {
        add(1);
    }
}
