package io.pgrouter.spi.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A plugin's own configuration block, for example {@code health { database postgres }} or a
 * third-party pipeline's {@code mypipeline { level 3 }}. Immutable; built by core from
 * pgrouter.conf or TOML and handed to a factory's {@code create}.
 *
 * <p>Accessors parse with {@link Values} and throw {@link ConfigException} carrying the value's
 * {@code file:line:column}, so a plugin reports bad input exactly as core does.
 */
public final class PluginConfig {
    private final String name;
    private final String location;
    private final Map<String, Setting> settings;

    /**
     * @param name the block's name
     * @param location {@code file:line:column} of the block, or of the directive that stands for
     *     it; used when a required key is missing
     * @param settings the block's keys in the order written
     */
    public PluginConfig(String name, String location, Map<String, Setting> settings) {
        this.name = name;
        this.location = location;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** An empty block, for a plugin that was not configured at all. */
    public static PluginConfig empty(String name) {
        return new PluginConfig(name, "(defaults)", Map.of());
    }

    public String name() {
        return name;
    }

    public String location() {
        return location;
    }

    public Set<String> keys() {
        return settings.keySet();
    }

    public Optional<Setting> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    public Optional<String> string(String key) {
        return setting(key).map(Setting::value);
    }

    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    /** A required key: its absence is a {@link ConfigException} at the block's location. */
    public String required(String key) {
        return string(key).orElseThrow(
                () -> new ConfigException(location, "block '" + name + "' needs '" + key + "'"));
    }

    public Duration duration(String key, Duration fallback) {
        return parsed(key, fallback, Values::duration);
    }

    public long size(String key, long fallback) {
        return parsed(key, fallback, Values::size);
    }

    public long count(String key, long fallback) {
        return parsed(key, fallback, Values::count);
    }

    /**
     * Rejects keys the plugin does not know, naming the first one found and the accepted ones.
     * Unknown keys are errors, never silently ignored: a typo must not go unnoticed.
     */
    public void allowOnly(Set<String> known) {
        for (Map.Entry<String, Setting> e : settings.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new ConfigException(e.getValue().location(), "unknown directive '" + e.getKey()
                        + "' in block '" + name + "' (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private <T> T parsed(String key, T fallback, java.util.function.Function<String, T> parser) {
        Setting s = settings.get(key);
        if (s == null) {
            return fallback;
        }
        try {
            return parser.apply(s.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.location(), key + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PluginConfig[" + name + " " + settings.keySet() + "]";
    }
}
