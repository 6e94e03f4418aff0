package io.pgrouter.core.pool;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pool settings in force: the {@code pool { }} block's, and a backend's own where its
 * {@code backend} block sets some ({@code backend 10.0.0.5:5432 { pool_size 5 }}), as
 * PgBouncer lets a database entry set its own {@code pool_size}. Immutable; a reload replaces it.
 *
 * @param defaults the {@code pool { }} block (or the defaults)
 * @param byBackend the settings of each backend that sets any of its own
 */
public record PoolConfig(PoolSettings defaults, Map<Endpoint, PoolSettings> byBackend) {
    public static final PoolConfig DEFAULT = of(PoolSettings.DEFAULT);

    public PoolConfig {
        byBackend = Map.copyOf(byBackend);
    }

    /** The same settings for every backend. */
    public static PoolConfig of(PoolSettings settings) {
        return new PoolConfig(settings, Map.of());
    }

    /** The settings of the pools of this backend. */
    public PoolSettings forBackend(Endpoint address) {
        PoolSettings own = byBackend.get(address);
        return own != null ? own : defaults;
    }

    /**
     * Reads the {@code pool { }} block and each backend's pool settings over it. A rejected
     * setting is added to {@code problems} (file:line:column) and its block falls back to what it
     * would be without it.
     */
    public static PoolConfig from(PluginConfig poolBlock, List<BackendConfig> backends, List<ConfigException> problems) {
        PoolSettings defaults;
        try {
            defaults = PoolSettings.from(poolBlock);
        } catch (ConfigException e) {
            problems.add(e);
            defaults = PoolSettings.DEFAULT;
        }
        Map<Endpoint, PoolSettings> byBackend = new HashMap<>();
        for (BackendConfig b : backends) {
            if (b.pool().keys().isEmpty()) {
                continue;
            }
            try {
                byBackend.put(b.address(), PoolSettings.from(b.pool(), defaults));
            } catch (ConfigException e) {
                problems.add(e);
            }
        }
        return new PoolConfig(defaults, byBackend);
    }
}
