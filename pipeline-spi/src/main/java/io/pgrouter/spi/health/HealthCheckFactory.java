package io.pgrouter.spi.health;

import io.pgrouter.spi.config.PluginConfig;

/**
 * Provides a health check: how the watcher learns each backend's role and replay position.
 * Selected by {@code method NAME} in the {@code health { }} block (default {@code sql}).
 *
 * <p>Called by core on the main thread at startup and on reload; global.
 */
public interface HealthCheckFactory {
    /** The name {@code health { method NAME }} selects. */
    String name();

    /**
     * Builds the check from the {@code health { }} block (which also holds core's
     * {@code timeout} and {@code check}). Validates the block, throwing
     * {@link io.pgrouter.spi.config.ConfigException}; opens nothing ({@code pgrouter -t} calls it).
     */
    HealthCheck create(PluginConfig config);
}
