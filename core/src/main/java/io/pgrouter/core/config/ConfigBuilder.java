package io.pgrouter.core.config;

import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.config.Values;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns {@link Directive}s into a {@link RouterConfig}: checks each directive and value, applies
 * defaults (including {@code backend default} blocks, in order), and collects every error.
 */
final class ConfigBuilder {
    /** Top-level directives that take one value and may appear once. */
    private static final Set<String> SINGLE = Set.of("listen", "monitor", "workers", "hba", "user", "group",
            "pidfile", "log", "logfile", "syslog", "authdb", "pipeline", "plugins", "max_clients", "max_message_size",
            "max_buffered", "authentication_timeout", "connect_timeout", "backends", "warm_up");
    private static final Set<String> CORE_BLOCKS = Set.of("tls", "health", "backend");
    private static final Set<String> BACKEND_KEYS = union(Set.of("tls", "lag", "max_replay_delay", "weight", "ca"),
            PoolSettings.KEYS);
    private static final Set<String> TLS_KEYS = Set.of("ciphers", "cert", "key");
    private static final Map<String, String> LOG_LEVELS = Map.ofEntries(
            Map.entry("EMERG", "ERROR"), Map.entry("ALERT", "ERROR"), Map.entry("CRIT", "ERROR"),
            Map.entry("ERR", "ERROR"), Map.entry("ERROR", "ERROR"), Map.entry("WARN", "WARN"),
            Map.entry("WARNING", "WARN"), Map.entry("NOTICE", "INFO"), Map.entry("INFO", "INFO"),
            Map.entry("DEBUG", "DEBUG"), Map.entry("TRACE", "TRACE"));

    static final long DEFAULT_LAG = 16L << 20;
    static final int DEFAULT_WEIGHT = 100;
    /** The largest {@code weight}: any number of replicas' weights then add up without overflow. */
    static final int MAX_WEIGHT = 65_535;
    static final int MAX_WORKERS = 1024;
    static final int MAX_CLIENTS = 1_000_000;
    /** The longest timeout or interval: beyond it a value is a typo, and millis stay within an int. */
    static final Duration MAX_DURATION = Duration.ofHours(24);

    private final Path source;
    private final Path baseDir;
    private final List<ConfigException> errors;
    private final Map<String, Directive.Value> single = new HashMap<>();
    private final Map<String, String> locations = new HashMap<>();
    private final Map<String, PluginConfig> blocks = new LinkedHashMap<>();
    private final List<BackendConfig> backends = new ArrayList<>();
    /** A {@code backend HOST:PORT} was written, even one rejected (which is then reported itself). */
    private boolean backendWritten;
    private Optional<TlsConfig> tls = Optional.empty();
    private HealthConfig health;
    private BackendDefaults defaults = new BackendDefaults(TlsMode.OFF, DEFAULT_LAG, Duration.ZERO, DEFAULT_WEIGHT,
            Optional.empty(), Map.of());

    private ConfigBuilder(Path source, List<ConfigException> errors) {
        this.source = source;
        this.baseDir = source.toAbsolutePath().getParent();
        this.errors = errors;
        this.health = new HealthConfig(Duration.ofSeconds(5), Duration.ofSeconds(15), "sql",
                new PluginConfig("health", source.toString(), Map.of()));
    }

    static RouterConfig build(Path source, List<Directive> directives, List<ConfigException> errors) {
        ConfigBuilder b = new ConfigBuilder(source, errors);
        for (Directive d : directives) {
            b.topLevel(d);
        }
        return b.result();
    }

    private void topLevel(Directive d) {
        String name = d.name();
        if (SINGLE.contains(name)) {
            if (d.hasBlock()) {
                error(d.nameLocation(), "'" + name + "' takes a value, not a block");
                return;
            }
            Directive.Value v = oneValue(d);
            if (v == null) {
                return;
            }
            if (single.containsKey(name)) {
                error(d.nameLocation(), "'" + name + "' is given twice (first at " + single.get(name).location() + ")");
                return;
            }
            single.put(name, v);
            locations.put(name, v.location());
        } else if (name.equals("backend")) {
            backend(d);
        } else if (name.equals("tls")) {
            tls(d);
        } else if (name.equals("health")) {
            health(d);
        } else if (d.hasBlock()) {
            if (blocks.containsKey(name)) {
                error(d.nameLocation(), "block '" + name + "' is given twice");
                return;
            }
            if (!d.values().isEmpty()) {
                error(d.values().get(0).location(), "block '" + name + "' takes no value before '{'");
            }
            blocks.put(name, pluginBlock(d));
        } else {
            List<String> known = new ArrayList<>(SINGLE);
            known.addAll(CORE_BLOCKS);
            known.sort(null);
            error(d.nameLocation(), "unknown directive '" + name + "' (expected one of " + String.join(", ", known)
                    + ", or a plugin's block NAME { ... })");
        }
    }

    private void backend(Directive d) {
        Directive.Value target = oneValue(d);
        if (target == null) {
            return;
        }
        Map<String, Directive.Value> settings = flatBlock(d, BACKEND_KEYS);
        TlsMode tlsMode = parse(settings.get("tls"), TlsMode::parse, defaults.tls());
        long lag = parse(settings.get("lag"), Values::size, defaults.lag());
        Duration maxReplayDelay = parse(settings.get("max_replay_delay"),
                t -> duration(t, Duration.ZERO, "max_replay_delay"), defaults.maxReplayDelay());
        int weight = parse(settings.get("weight"), t -> (int) bounded(t, 0, MAX_WEIGHT, "weight"), defaults.weight());
        Optional<Path> ca = settings.get("ca") != null ? Optional.of(path(settings.get("ca"))) : defaults.ca();
        Map<String, Setting> pool = new LinkedHashMap<>(defaults.pool());
        settings.forEach((key, v) -> {
            if (PoolSettings.KEYS.contains(key)) {
                pool.put(key, new Setting(v.text(), v.location()));
            }
        });
        if (target.text().equals("default")) {
            defaults = new BackendDefaults(tlsMode, lag, maxReplayDelay, weight, ca, pool);
            return;
        }
        backendWritten = true;
        Endpoint address = parse(target, Endpoint::parse, null);
        if (address == null) {
            return;
        }
        for (BackendConfig b : backends) {
            if (b.address().equals(address)) {
                error(target.location(), "backend " + address + " is declared twice (first at " + b.location() + ")");
                return;
            }
        }
        backends.add(new BackendDefaults(tlsMode, lag, maxReplayDelay, weight, ca, pool).backend(address, target.location()));
    }

    private void tls(Directive d) {
        if (!d.values().isEmpty() || !d.hasBlock()) {
            error(d.nameLocation(), "expected tls { ciphers ...; cert FILE; key FILE }");
            return;
        }
        if (tls.isPresent()) {
            error(d.nameLocation(), "block 'tls' is given twice");
            return;
        }
        Map<String, Directive.Value> s = flatBlock(d, TLS_KEYS);
        if (s.get("cert") == null || s.get("key") == null) {
            error(d.nameLocation(), "tls needs both 'cert' and 'key'");
            return;
        }
        locations.put("tls.cert", s.get("cert").location());
        locations.put("tls.key", s.get("key").location());
        tls = Optional.of(new TlsConfig(Optional.ofNullable(s.get("ciphers")).map(Directive.Value::text),
                path(s.get("cert")), path(s.get("key")), d.nameLocation()));
    }

    private void health(Directive d) {
        if (!d.values().isEmpty() || !d.hasBlock()) {
            error(d.nameLocation(), "expected health { timeout ...; check ...; ... }");
            return;
        }
        PluginConfig block = pluginBlock(d);
        Duration timeout = parse(block.setting("timeout"), t -> duration(t, Duration.ofMillis(1), "health timeout"),
                health.timeout());
        Duration interval = parse(block.setting("check"), t -> duration(t, Duration.ofMillis(1), "health check"),
                health.interval());
        Duration replayCheck = parse(block.setting("replay_check"),
                t -> duration(t, Duration.ZERO, "health replay_check"), health.replayCheck());
        health = new HealthConfig(timeout, interval, block.string("method", "sql"), block, replayCheck);
    }

    /** A plugin's block: flat settings, each with the location of its value. */
    private PluginConfig pluginBlock(Directive d) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (Directive inner : d.block()) {
            if (inner.hasBlock()) {
                error(inner.nameLocation(), "nested block '" + inner.name() + "' is not allowed in '" + d.name() + "'");
                continue;
            }
            if (inner.values().isEmpty()) {
                error(inner.nameLocation(), "expected a value after '" + inner.name() + "'");
                continue;
            }
            if (settings.containsKey(inner.name())) {
                error(inner.nameLocation(), "'" + inner.name() + "' is given twice in '" + d.name() + "'");
                continue;
            }
            String value = String.join(" ", inner.values().stream().map(Directive.Value::text).toList());
            settings.put(inner.name(), new Setting(value, inner.values().get(0).location()));
        }
        return new PluginConfig(d.name(), d.nameLocation(), settings);
    }

    /** A core block of single-valued keys, checked against the allowed ones. */
    private Map<String, Directive.Value> flatBlock(Directive d, Set<String> allowed) {
        Map<String, Directive.Value> result = new HashMap<>();
        if (!d.hasBlock()) {
            return result;
        }
        for (Directive inner : d.block()) {
            if (!allowed.contains(inner.name())) {
                error(inner.nameLocation(), "unknown directive '" + inner.name() + "' in '" + d.name()
                        + "' (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                continue;
            }
            if (inner.hasBlock()) {
                error(inner.nameLocation(), "'" + inner.name() + "' takes a value, not a block");
                continue;
            }
            Directive.Value v = oneValue(inner);
            if (v != null) {
                result.put(inner.name(), v);
            }
        }
        return result;
    }

    private Directive.Value oneValue(Directive d) {
        if (d.values().isEmpty()) {
            error(d.nameLocation(), "expected a value after '" + d.name() + "'");
            return null;
        }
        if (d.values().size() > 1) {
            error(d.values().get(1).location(), "'" + d.name() + "' takes one value; unexpected '"
                    + d.values().get(1).text() + "'");
            return null;
        }
        return d.values().get(0);
    }

    private <T> T parse(Directive.Value v, Function<String, T> parser, T fallback) {
        if (v == null) {
            return fallback;
        }
        try {
            return parser.apply(v.text());
        } catch (IllegalArgumentException e) {
            error(v.location(), e.getMessage());
            return fallback;
        }
    }

    private <T> T parse(Optional<Setting> s, Function<String, T> parser, T fallback) {
        return parse(s.map(x -> new Directive.Value(x.value(), x.location())).orElse(null), parser, fallback);
    }

    private Path path(Directive.Value v) {
        return baseDir.resolve(v.text()).normalize();
    }

    private RouterConfig result() {
        Endpoint listen = parse(single.get("listen"), Endpoint::parse, new Endpoint("*", 5432));
        Endpoint monitor = parse(single.get("monitor"), Endpoint::parse, new Endpoint("127.0.0.1", 9881));
        int workers = parse(single.get("workers"), t -> (int) bounded(t, 1, MAX_WORKERS, "workers"),
                defaultWorkers(Runtime.getRuntime().availableProcessors()));
        String log = parse(single.get("log"), ConfigBuilder::logLevel, "INFO");
        String pipeline = Optional.ofNullable(single.get("pipeline")).map(Directive.Value::text).orElse("readsplit");
        Optional<BackendDiscovery> discovery = discovery();
        if (!backendWritten && single.get("backends") == null) {
            error(source.toString(), ConfigChecks.NO_BACKEND);
        }
        return new RouterConfig(source, listen, monitor, workers, optionalPath("hba"), tls, text("user"), text("group"),
                optionalPath("pidfile"), log, optionalPath("logfile"),
                Optional.ofNullable(parse(single.get("syslog"), SyslogTarget::parse, null)), health, backends, discovery, optionalPath("authdb"), pipeline,
                optionalPath("plugins"), blocks, limits(), locations,
                parse(single.get("warm_up"), RouterConfig::warmUp, Duration.ZERO));
    }


    /**
     * {@code backends NAME}: only with the topology source of that name, which is what lists the
     * members; the defaults are those in force at the end of the file.
     */
    private Optional<BackendDiscovery> discovery() {
        Directive.Value v = single.get("backends");
        if (v == null) {
            return Optional.empty();
        }
        Optional<String> topology = health.topology();
        if (!topology.equals(Optional.of(v.text()))) {
            error(v.location(), "'backends " + v.text() + "' takes the backends from the topology source '" + v.text()
                    + "', which needs 'topology " + v.text() + "' in the health block"
                    + topology.map(t -> " (it says 'topology " + t + "')").orElse(""));
            return Optional.empty();
        }
        return Optional.of(new BackendDiscovery(v.text(), defaults, v.location()));
    }

    /**
     * One event loop per CPU but one: the JVM's JIT compiler and garbage collector, the watcher
     * and the kernel's network work need a CPU too, and an event loop that has to share its CPU
     * with them costs more per message than one fewer loop does (on 2 CPUs, 1 worker used
     * 15-27% less CPU per transaction than 2, bench/RESULTS.md). A single CPU still gets one.
     */
    static int defaultWorkers(int cpus) {
        return Math.min(MAX_WORKERS, Math.max(1, cpus - 1));
    }

    private Limits limits() {
        Limits d = Limits.DEFAULT;
        int maxClients = parse(single.get("max_clients"), t -> (int) bounded(t, 1, MAX_CLIENTS, "max_clients"),
                d.maxClients());
        long maxBuffered = parse(single.get("max_buffered"), ConfigBuilder::maxBuffered, d.maxBuffered());
        long maxMessage = parse(single.get("max_message_size"), ConfigBuilder::maxMessageSize,
                (long) Limits.defaultMaxMessageSize(maxBuffered));
        Duration auth = parse(single.get("authentication_timeout"),
                t -> duration(t, Duration.ofMillis(1), "authentication_timeout"), d.authenticationTimeout());
        Duration connect = parse(single.get("connect_timeout"), t -> duration(t, Duration.ofMillis(1), "connect_timeout"),
                d.connectTimeout());
        return new Limits(maxClients, (int) maxMessage, auth, connect, maxBuffered);
    }

    /**
     * A whole number within [min, max]. The error says the accepted range, and tells a value that
     * is not a number ({@code abc}, {@code 1.5}) from one that is out of range ({@code -5}).
     */
    static long bounded(String text, long min, long max, String what) {
        String t = text.trim();
        if (!t.matches("[-+]?[0-9]+")) {
            throw new IllegalArgumentException(what + " must be a whole number from " + min + " to " + max + "; '"
                    + text + "' is not a number");
        }
        BigInteger n = new BigInteger(t);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", found " + t);
        }
        return n.longValueExact();
    }

    private static long maxMessageSize(String text) {
        long n = Values.size(text);
        if (n < 1024 || n > (1L << 30)) {
            throw new IllegalArgumentException("max_message_size must be between 1kb and 1gb, found " + text);
        }
        return n;
    }

    private static long maxBuffered(String text) {
        long n = Values.size(text);
        if (n < (1L << 20) || n > (1L << 40)) {
            throw new IllegalArgumentException("max_buffered must be between 1mb and 1tb, found " + text);
        }
        return n;
    }

    /** A duration within [min, {@link #MAX_DURATION}], with the range in the error. */
    private static Duration duration(String text, Duration min, String what) {
        String range = what + " must be between " + (min.isZero() ? "0" : "1ms") + " and 24h";
        Duration d;
        try {
            d = Values.duration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + range);
        }
        if (d.compareTo(min) < 0 || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(range + ", found " + text);
        }
        return d;
    }

    private Optional<String> text(String name) {
        return Optional.ofNullable(single.get(name)).map(Directive.Value::text);
    }

    private Optional<Path> optionalPath(String name) {
        return Optional.ofNullable(single.get(name)).map(this::path);
    }

    private static String logLevel(String text) {
        String level = LOG_LEVELS.get(text.toUpperCase(Locale.ROOT));
        if (level == null) {
            throw new IllegalArgumentException("unknown log level '" + text
                    + "' (expected ERROR, WARNING, NOTICE, INFO, DEBUG or TRACE)");
        }
        return level;
    }

    private void error(String location, String message) {
        errors.add(new ConfigException(location, message));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

}
