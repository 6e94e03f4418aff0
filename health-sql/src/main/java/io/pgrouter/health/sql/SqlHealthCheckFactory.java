package io.pgrouter.health.sql;

import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.HealthCheckFactory;
import java.time.Duration;
import java.util.Set;

/**
 * {@code health { method sql }}: reads {@code database} (default {@code postgres}),
 * {@code username} (required) and {@code password} (optional) from the health block, next to
 * core's {@code timeout}, {@code check} and {@code method}. Anything else in the block is an
 * error, so a typo is caught by {@code pgrouter -t}.
 */
public final class SqlHealthCheckFactory implements HealthCheckFactory {
    /** Every key the health block may hold with this method: ours and core's. */
    static final Set<String> KEYS = Set.of("database", "username", "password", "timeout", "check", "method", "topology",
            "replay_check");

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public HealthCheck create(PluginConfig config) {
        config.allowOnly(KEYS);
        SqlHealthSettings settings = new SqlHealthSettings(
                config.string("database", "postgres"),
                config.required("username"),
                config.string("password"));
        // Validated here so that a bad value is reported at its location; core uses the value.
        config.duration("timeout", Duration.ofSeconds(5));
        return new SqlHealthCheck(settings);
    }
}
