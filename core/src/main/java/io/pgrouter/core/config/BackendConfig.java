package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code backend HOST:PORT { tls lag max_replay_delay weight ca }}, with the
 * {@code backend default { }} in force where it was declared already applied.
 *
 * @param address where the backend listens
 * @param tls TLS mode towards it (default {@code off})
 * @param lagThreshold {@code lag}: replay lag in bytes above which it serves no reads
 * @param maxReplayDelay {@code max_replay_delay}: replay delay above which it serves no reads;
 *     zero (the default) for no time limit
 * @param weight {@code weight}: relative share of reads
 * @param ca {@code ca}: PEM file of the CA certificates {@code tls verify} trusts; without it,
 *     the JDK's trust store
 * @param location {@code file:line:column} of the declaration
 * @param pool the pool settings ({@code pool_size}, ...) this backend sets for its own pools over
 *     the {@code pool { }} block's, each with its location; checked where the pools are built
 */
public record BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, Duration maxReplayDelay, int weight,
        Optional<Path> ca, String location, PluginConfig pool) {
    public BackendConfig {
        Objects.requireNonNull(maxReplayDelay, "maxReplayDelay");
        Objects.requireNonNull(pool, "pool");
    }

    /** A backend with the {@code pool { }} block's pool settings. */
    public BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, Duration maxReplayDelay, int weight,
            Optional<Path> ca, String location) {
        this(address, tls, lagThreshold, maxReplayDelay, weight, ca, location, PluginConfig.empty("backend"));
    }

    /** A backend without a replay-delay limit. */
    public BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, int weight, Optional<Path> ca,
            String location) {
        this(address, tls, lagThreshold, Duration.ZERO, weight, ca, location);
    }

    /** A backend trusting the JDK's CAs (or using no TLS), without a replay-delay limit. */
    public BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, int weight, String location) {
        this(address, tls, lagThreshold, Duration.ZERO, weight, Optional.empty(), location);
    }
}
