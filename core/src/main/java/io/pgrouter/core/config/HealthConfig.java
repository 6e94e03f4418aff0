package io.pgrouter.core.config;

import io.pgrouter.spi.config.PluginConfig;
import java.time.Duration;

/**
 * The {@code health { }} block. Core reads {@code timeout}, {@code check} and {@code method};
 * the whole block (including {@code database}, {@code username}, {@code password}) goes to the
 * health check plugin selected by {@code method}.
 *
 * @param timeout bound on one probe (default 5s)
 * @param interval time between rounds ({@code check}, default 15s)
 * @param method the health check plugin's name (default {@code sql})
 * @param block the whole block, for the plugin
 * @param replayCheck time between reads of each replica's replayed WAL position ({@code
 *     replay_check}, default 20ms; zero: never), for read-your-writes
 */
public record HealthConfig(Duration timeout, Duration interval, String method, PluginConfig block,
        Duration replayCheck) {
    public static final Duration DEFAULT_REPLAY_CHECK = Duration.ofMillis(20);

    public HealthConfig(Duration timeout, Duration interval, String method, PluginConfig block) {
        this(timeout, interval, method, block, DEFAULT_REPLAY_CHECK);
    }

    /** The topology source ({@code topology NAME}) that decides roles with the health check, if any. */
    public java.util.Optional<String> topology() {
        return block.string("topology");
    }
}
