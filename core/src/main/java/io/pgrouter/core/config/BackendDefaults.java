package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@code backend default { }} block sets (over the built-in defaults) for the backends that
 * do not set it themselves: those declared after it, and the members a topology source discovers.
 *
 * @param pool pool settings, over the {@code pool { }} block's, each with its location
 */
public record BackendDefaults(TlsMode tls, long lag, Duration maxReplayDelay, int weight, Optional<Path> ca,
        Map<String, Setting> pool) {
    public BackendDefaults {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(maxReplayDelay, "maxReplayDelay");
        Objects.requireNonNull(ca, "ca");
        pool = Map.copyOf(pool);
    }

    /** A backend at {@code address} with exactly these settings, declared at {@code location}. */
    public BackendConfig backend(Endpoint address, String location) {
        return new BackendConfig(address, tls, lag, maxReplayDelay, weight, ca, location,
                new PluginConfig("backend " + address, location, pool));
    }
}
