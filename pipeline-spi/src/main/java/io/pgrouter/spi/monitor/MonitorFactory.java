package io.pgrouter.spi.monitor;

import io.pgrouter.spi.config.PluginConfig;

/**
 * Provides a monitor: a way for operators to see pgrouter's state (the text port of the original pgrouter,
 * a metrics endpoint, ...). Every monitor found is created; one that has nothing to do with the
 * configuration returns {@link Monitor#NONE}.
 *
 * <p>Called by core on the main thread at startup; global.
 */
public interface MonitorFactory {
    String name();

    /**
     * Builds the monitor from its block (the top-level block named after it, empty when absent).
     * Validates, opens nothing: {@link Monitor#start()} does that.
     */
    Monitor create(PluginConfig config, MonitorContext context);
}
