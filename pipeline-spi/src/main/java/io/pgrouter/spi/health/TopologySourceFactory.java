package io.pgrouter.spi.health;

import io.pgrouter.spi.config.PluginConfig;

/**
 * Provides a {@link TopologySource}. {@code health { topology NAME }} selects it; it reads its
 * own top-level block {@code NAME { }}.
 *
 * <p>Called by core on the main thread at startup and on reload; global.
 */
public interface TopologySourceFactory {
    /** The name {@code health { topology NAME }} selects, and the name of its block. */
    String name();

    /**
     * Builds the source from its block. Validates it, throwing
     * {@link io.pgrouter.spi.config.ConfigException}; opens nothing ({@code pgrouter -t} calls it).
     */
    TopologySource create(PluginConfig config);
}
