package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, as loaded from pgrouter.conf or TOML. Immutable: a reload builds a
 * new one and swaps it in whole.
 *
 * @param source the file it was read from
 * @param listen where clients connect ({@code listen}, default {@code *:5432})
 * @param monitor where the text monitor listens ({@code monitor}, default {@code 127.0.0.1:9881})
 * @param workers event loop threads ({@code workers}, default: the number of CPUs)
 * @param hba the HBA rules file ({@code hba})
 * @param tls client-side TLS ({@code tls { ciphers cert key }})
 * @param user user to run as ({@code user})
 * @param group group to run as ({@code group})
 * @param pidfile where to write the process id ({@code pidfile})
 * @param logLevel the base log level ({@code log}), normalised to a logback level name
 * @param logfile where log lines go instead of stderr ({@code logfile}); reopened on SIGUSR1 and SIGHUP
 * @param syslog a syslog daemon log lines go to as well ({@code syslog FACILITY[@HOST[:PORT]]})
 * @param health the {@code health { }} block
 * @param backends every {@code backend HOST:PORT}, defaults applied, in the order written; with
 *     {@code discovery}, the backends in force (see {@link #withBackends})
 * @param discovery {@code backends NAME}: the backends are the members a topology source lists
 * @param authdb the users file ({@code authdb})
 * @param pipeline the selected pipeline ({@code pipeline NAME})
 * @param plugins the directory of drop-in plugin jars ({@code plugins DIR})
 * @param blocks every other top-level block, by name: plugin configuration
 * @param limits what one client may cost
 * @param locations {@code file:line:column} of the value of each top-level directive written
 * @param warmUp how long pgrouter warms its data path up before it accepts clients ({@code warm_up
 *     on|off|DURATION}, default off: measured, it did not make the first seconds faster); zero for none
 */
public record RouterConfig(
        Path source,
        Endpoint listen,
        Endpoint monitor,
        int workers,
        Optional<Path> hba,
        Optional<TlsConfig> tls,
        Optional<String> user,
        Optional<String> group,
        Optional<Path> pidfile,
        String logLevel,
        Optional<Path> logfile,
        Optional<SyslogTarget> syslog,
        HealthConfig health,
        List<BackendConfig> backends,
        Optional<BackendDiscovery> discovery,
        Optional<Path> authdb,
        String pipeline,
        Optional<Path> plugins,
        Map<String, PluginConfig> blocks,
        Limits limits,
        Map<String, String> locations,
        Duration warmUp) {
    /** {@code warm_up on}: under a second of delay, and about as much CPU on two cores. */
    public static final Duration WARM_UP = Duration.ofMillis(800);
    /** The longest warm-up: pgrouter does not serve meanwhile. */
    private static final Duration MAX_WARM_UP = Duration.ofSeconds(10);

    /**
     * {@code warm_up on|off|DURATION} (also {@code PGROUTER_WARM_UP}): off is none, on its usual length.
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Duration warmUp(String text) {
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "on":
                return WARM_UP;
            case "off":
                return Duration.ZERO;
            default:
                String accepted = "warm_up must be on, off or a duration up to 10s";
                Duration d;
                try {
                    d = io.pgrouter.spi.config.Values.duration(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(accepted + "; " + e.getMessage());
                }
                if (d.compareTo(MAX_WARM_UP) > 0) {
                    throw new IllegalArgumentException(accepted + ", found " + text);
                }
                return d;
        }
    }

    public RouterConfig {
        backends = List.copyOf(backends);
        blocks = Map.copyOf(blocks);
        locations = Map.copyOf(locations);
    }

    /**
     * Where a top-level directive's value was written, for error messages; for a directive left
     * at its default, the file itself.
     */
    public String locationOf(String directive) {
        return locations.getOrDefault(directive, source + " (default " + directive + ")");
    }

    /** The same configuration with these backends: the members discovered, as they are now. */
    public RouterConfig withBackends(List<BackendConfig> inForce) {
        return new RouterConfig(source, listen, monitor, workers, hba, tls, user, group, pidfile, logLevel, logfile, syslog,
                health, inForce, discovery, authdb, pipeline, plugins, blocks, limits, locations, warmUp);
    }

    /** The block named after a plugin, or an empty one. */
    public PluginConfig block(String name) {
        PluginConfig b = blocks.get(name);
        return b != null ? b : PluginConfig.empty(name);
    }
}
