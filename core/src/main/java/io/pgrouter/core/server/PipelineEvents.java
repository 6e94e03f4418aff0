package io.pgrouter.core.server;

import io.pgrouter.spi.pipeline.EventCounter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The counters a pipeline asked for ({@code PipelineContext.counter}), read by the monitors
 * through {@link ConnectionStats#pipelineEvents()}. Thread-safe: an {@link EventCounter} is counted
 * on any event loop.
 */
public final class PipelineEvents {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final ConcurrentMap<String, EventCounter> counters = new ConcurrentHashMap<>();

    /** The counter called {@code name}, made on first use. */
    public EventCounter counter(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a pipeline event's name is lower case letters, digits and underscores: "
                    + name);
        }
        return counters.computeIfAbsent(name, n -> new EventCounter());
    }

    /** Every counter's value now, by name. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((name, counter) -> out.put(name, counter.count()));
        return out;
    }
}
