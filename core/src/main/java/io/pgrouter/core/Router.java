package io.pgrouter.core;

import io.pgrouter.core.admin.AdminSettings;
import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.Watcher;
import io.pgrouter.core.config.ConfigChecks;
import io.pgrouter.core.config.ConfigErrors;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.core.plugin.PluginCatalog;
import io.pgrouter.core.pool.PoolConfig;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.core.server.PipelineEvents;
import io.pgrouter.core.server.ProxyServer;
import io.pgrouter.core.server.Security;
import io.pgrouter.core.server.ServerSettings;
import io.pgrouter.core.server.Sessions;
import io.pgrouter.core.server.WarmUp;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.HealthCheckFactory;
import io.pgrouter.spi.health.TopologySource;
import io.pgrouter.spi.health.TopologySourceFactory;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.MonitorFactory;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.EventCounter;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pgrouter: the configured pipeline, health check, watcher, monitors and server,
 * wired together. {@link #prepare} builds and validates everything without opening a socket
 * (which is all {@code pgrouter -t} needs); {@link #start} brings it up.
 */
public final class Router implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final PluginCatalog plugins;
    private final ClusterState cluster;
    private final Pipeline pipeline;
    /** The configuration in force: as written, with the members discovered as backends ({@code backends NAME}). */
    private RouterConfig config;
    /** The configuration as written, which a change of the members discovered applies again. */
    private RouterConfig written;
    private final MemberDiscovery discovery = new MemberDiscovery(this::rediscover);
    private final AdminSettings admin;
    private HealthCheck healthCheck;
    /** The HA manager's topology for the next watcher, which owns it once started. */
    private Optional<TopologySource> topology;
    private final ProxyServer server;
    private final List<Monitor> monitors;
    private Watcher watcher;
    private final io.pgrouter.core.cluster.ReplayPositionCache positions;
    private io.pgrouter.core.cluster.PositionProbe positionProbe;
    private ScheduledExecutorService timer;

    private Router(RouterConfig config, PluginCatalog plugins, ClusterState cluster, Pipeline pipeline,
            HealthCheck healthCheck, Optional<TopologySource> topology, ProxyServer server, List<Monitor> monitors,
            AdminSettings admin, io.pgrouter.core.cluster.ReplayPositionCache positions) {
        this.written = config;
        this.config = inForce(config); // no member known yet
        this.topology = topology;
        this.admin = admin;
        this.positions = positions;
        this.plugins = plugins;
        this.cluster = cluster;
        this.pipeline = pipeline;
        this.healthCheck = healthCheck;
        this.server = server;
        this.monitors = monitors;
    }

    /**
     * Builds every part from the configuration and the plugins found, collecting every problem.
     *
     * @throws ConfigErrors listing each problem with its file:line:column
     */
    public static Router prepare(RouterConfig config, PluginCatalog plugins) throws ConfigErrors {
        List<ConfigException> problems = new ArrayList<>(ConfigChecks.routable(config));
        problems.addAll(ConfigChecks.filesReadable(config));
        for (PluginConfig block : config.blocks().values()) {
            if (!plugins.names().contains(block.name()) && !block.name().equals(PoolSettings.BLOCK)
                    && !block.name().equals(AdminSettings.BLOCK)) {
                problems.add(new ConfigException(block.location(), "unknown directive '" + block.name()
                        + "' (no plugin of that name; plugins found: " + String.join(", ", plugins.names()) + ")"));
            }
        }
        Security security = SecurityLoader.load(config, problems);
        // With backends NAME, no backend until the topology lists its members.
        ClusterState cluster = new ClusterState(config.discovery().isPresent() ? List.of() : config.backends());
        io.pgrouter.core.cluster.ReplayPositionCache positions = new io.pgrouter.core.cluster.ReplayPositionCache();
        PipelineEvents pipelineEvents = new PipelineEvents();
        PipelineContext pipelineContext = new PipelineContext() {
            @Override
            public ClusterView cluster() {
                return cluster;
            }

            @Override
            public io.pgrouter.spi.cluster.ReplayPositions positions() {
                return positions;
            }

            @Override
            public EventCounter counter(String name) {
                return pipelineEvents.counter(name);
            }
        };
        Pipeline pipeline = create(problems, plugins.pipelines().get(config.pipeline()), config.pipeline(),
                "pipeline", config.locationOf("pipeline"), plugins.pipelines().keySet(),
                f -> ((PipelineFactory) f).create(config.block(config.pipeline()), pipelineContext));
        HealthCheck health = create(problems, plugins.healthChecks().get(config.health().method()),
                config.health().method(), "health check method", config.health().block().location(),
                plugins.healthChecks().keySet(),
                f -> ((HealthCheckFactory) f).create(config.health().block()));
        Optional<TopologySource> topology = topologySource(config, plugins, problems);
        PoolConfig pools = PoolConfig.from(config.block(PoolSettings.BLOCK), config.backends(), problems);
        // The members' pool settings, checked now rather than when the first one appears.
        config.discovery().ifPresent(d -> PoolConfig.from(config.block(PoolSettings.BLOCK),
                List.of(d.defaults().backend(new Endpoint("member", 1), d.location())), problems));
        AdminSettings admin = adminSettings(config, problems);
        ProxyServer server = new ProxyServer(new ServerSettings(config.listen(), config.workers(),
                config.limits().maxMessageSize(), config.limits().connectTimeout(), config.limits().maxClients(),
                config.limits().authenticationTimeout(), config.limits().maxBuffered()), pools, pipeline, config.pipeline(),
                cluster, pipelineEvents);
        if (security != null) {
            server.security(security);
        }
        MonitorContext monitorContext = new Context(cluster, server.stats(), server::poolStats, Optional.of(config.monitor()),
                positions);
        List<Monitor> monitors = new ArrayList<>();
        for (MonitorFactory factory : plugins.monitors().values()) {
            Monitor m = create(problems, factory, factory.name(), "monitor", config.block(factory.name()).location(),
                    plugins.monitors().keySet(), f -> ((MonitorFactory) f).create(config.block(factory.name()), monitorContext));
            if (m != null) {
                monitors.add(m);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigErrors(problems);
        }
        return new Router(config, plugins, cluster, pipeline, health, topology, server, monitors, admin, positions);
    }

    /** The source {@code health { topology NAME }} selects, built from its {@code NAME { }} block. */
    private static Optional<TopologySource> topologySource(RouterConfig config, PluginCatalog plugins,
            List<ConfigException> problems) {
        return config.health().topology().map(name -> create(problems, plugins.topologySources().get(name), name,
                "topology source", config.health().block().setting("topology").map(s -> s.location())
                        .orElse(config.health().block().location()),
                plugins.topologySources().keySet(), f -> ((TopologySourceFactory) f).create(config.block(name))));
    }

    /** The {@code admin { }} block, or none (then listed as a problem) when it is rejected. */
    private static AdminSettings adminSettings(RouterConfig config, List<ConfigException> problems) {
        try {
            return AdminSettings.from(config.block(AdminSettings.BLOCK), config.source().toAbsolutePath().getParent());
        } catch (ConfigException e) {
            problems.add(e);
            return AdminSettings.NONE;
        }
    }

    /** The admin channel's settings, as read at startup (a change needs a restart). */
    public AdminSettings admin() {
        return admin;
    }

    /** The open client sessions: pause, resume, shutdown. */
    public Sessions sessions() {
        return server.sessions();
    }

    /** Closes the client port; sessions already open go on. */
    public void stopAccepting() {
        server.stopAccepting();
    }

    /** Calls a factory, turning a missing plugin or a rejected block into a listed problem. */
    private static <T> T create(List<ConfigException> problems, Object factory, String name, String kind,
            String location, java.util.Set<String> available, java.util.function.Function<Object, T> build) {
        if (factory == null) {
            problems.add(new ConfigException(location, "unknown " + kind + " '" + name + "' (available: "
                    + (available.isEmpty() ? "none" : String.join(", ", available)) + ")"));
            return null;
        }
        try {
            return build.apply(factory);
        } catch (ConfigException e) {
            problems.add(e);
            return null;
        }
    }

    /**
     * Starts the watcher and waits for its first round (bounded), so that the first clients find
     * the roles known; then starts the monitors and, last, binds the client port, so that a
     * port accepting clients means everything else is up too. Holds off reloads (and members
     * discovered meanwhile) until it is done.
     */
    public synchronized void start() throws Exception {
        if (written.discovery().isPresent()) {
            discoverFirstMembers();
        }
        Thread warmUp = warmUp();
        watcher = watcher(config, healthCheck, topology);
        watcher.start();
        positionProbe = positionProbe(config, healthCheck);
        positionProbe.start();
        Duration firstRound = config.health().timeout().plusSeconds(1);
        if (!watcher.awaitFirstRound(firstRound)) {
            log.warn("health checks did not finish within {}; accepting clients anyway", firstRound);
        }
        for (Monitor m : monitors) {
            m.start();
        }
        if (warmUp != null) {
            warmUp.join(); // bounded by warm_up
        }
        server.start();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgrouter-periodic");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::periodic, 1, 1, TimeUnit.SECONDS);
        log.info("pgrouter {} started: pipeline {}, {} backends", Version.current(), config.pipeline(),
                config.backends().size());
    }

    /**
     * The warm-up of the data path ({@code warm_up}, or {@code PGROUTER_WARM_UP} in the
     * environment, which wins), when on, on a thread of its own: it runs while the watcher's first round waits for the
     * backends, and the client port opens after both.
     */
    private Thread warmUp() {
        Duration budget = config.warmUp();
        String env = System.getenv("PGROUTER_WARM_UP");
        if (env != null && !env.isBlank()) {
            try {
                budget = RouterConfig.warmUp(env.trim());
            } catch (IllegalArgumentException e) {
                log.warn("PGROUTER_WARM_UP={} ignored: {}", env, e.getMessage());
            }
        }
        if (budget.isZero()) {
            return null;
        }
        Duration length = budget;
        PipelineFactory factory = (PipelineFactory) plugins.pipelines().get(config.pipeline());
        PluginConfig block = config.block(config.pipeline());
        String name = config.pipeline();
        Thread t = new Thread(() -> WarmUp.run(context -> factory.create(block, context), name, length),
                "pgrouter-warm-up");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * {@code backends NAME}: one fetch of the topology before the first round, so that the first
     * clients find the members as backends. When it fails, pgrouter starts with none (the
     * {@code backend} lines only set members' settings) and the watcher's rounds find them.
     */
    private void discoverFirstMembers() throws ConfigErrors {
        try {
            if (discovery.take(topology.orElseThrow().fetch(config.health().timeout()))) {
                reload(written);
            }
        } catch (ConfigErrors e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("backends {}: the topology did not answer at startup ({}); no backend until it does",
                    written.discovery().get().source(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The members discovered have changed: applied through {@link #reload}, as a SIGHUP would. */
    private synchronized void rediscover() {
        try {
            reload(written);
        } catch (ConfigErrors e) {
            log.error("the members discovered were not applied: {}", e.getMessage());
        }
    }

    private Watcher watcher(RouterConfig c, HealthCheck check, Optional<TopologySource> source) {
        if (c.discovery().isPresent()) {
            return new Watcher(c.backends(), c.health(), check, source, cluster, discovery::fetched);
        }
        return new Watcher(c.backends(), c.health(), check, source, cluster);
    }

    /** {@code c} with the members discovered last as its backends, when it takes them from a topology. */
    private RouterConfig inForce(RouterConfig c) {
        return c.discovery().map(d -> c.withBackends(d.backends(discovery.members(), c.backends()))).orElse(c);
    }

    /**
     * Applies a reloaded configuration (SIGHUP). Backends and the health block take effect at
     * once: kept backends keep their observed state, new ones start as STARTING, and a new
     * watcher takes over. What is bound or built once (listen, monitor, workers, pipeline,
     * plugins) needs a restart; each such change is logged and otherwise ignored.
     *
     * The hba rules, the authdb and the TLS settings are read again and apply to new connections.
     *
     * With {@code backends NAME}, the backends are the members discovered last, with the settings
     * the new configuration gives them; a change of those members is applied here too.
     *
     * @return what was not applied because it needs a restart, one line each
     * @throws ConfigErrors when the new configuration has no backend, or its health block or a
     *     security file is rejected; nothing is changed then
     */
    public synchronized List<String> reload(RouterConfig nextWritten) throws ConfigErrors {
        List<ConfigException> problems = new ArrayList<>(ConfigChecks.routable(nextWritten));
        RouterConfig next = inForce(nextWritten);
        HealthCheck nextHealth = create(problems, plugins.healthChecks().get(next.health().method()),
                next.health().method(), "health check method", next.health().block().location(),
                plugins.healthChecks().keySet(), f -> ((HealthCheckFactory) f).create(next.health().block()));
        Optional<TopologySource> nextTopology = topologySource(next, plugins, problems);
        Security nextSecurity = SecurityLoader.load(next, problems);
        PoolConfig nextPools = PoolConfig.from(next.block(PoolSettings.BLOCK), next.backends(), problems);
        if (!problems.isEmpty()) {
            if (nextHealth != null) {
                closeQuietly(nextHealth::close, "rejected health check");
            }
            nextTopology.ifPresent(t -> closeQuietly(t::close, "rejected topology source"));
            throw new ConfigErrors(problems);
        }
        server.security(nextSecurity);
        server.pools(nextPools);
        List<String> notApplied = new ArrayList<>();
        restartNeeded(notApplied, "listen", config.listen(), next.listen());
        restartNeeded(notApplied, "monitor", config.monitor(), next.monitor());
        restartNeeded(notApplied, "workers", config.workers(), next.workers());
        restartNeeded(notApplied, "limits", config.limits(), next.limits());
        restartNeeded(notApplied, "pipeline", config.pipeline(), next.pipeline());
        restartNeeded(notApplied, "plugins", config.plugins(), next.plugins());
        restartNeeded(notApplied, "pipeline block", config.block(config.pipeline()).keys(), next.block(next.pipeline()).keys());
        restartNeeded(notApplied, "admin block", settingsOf(config.block(AdminSettings.BLOCK)),
                settingsOf(next.block(AdminSettings.BLOCK)));
        Watcher previous = watcher;
        HealthCheck previousHealth = healthCheck;
        Optional<TopologySource> previousTopology = topology;
        cluster.reconfigure(next.backends());
        watcher = watcher(next, nextHealth, nextTopology);
        healthCheck = nextHealth;
        topology = nextTopology;
        config = next;
        written = nextWritten;
        if (previous != null) {
            previous.close();
            watcher.takeOverTopology(previous);
            watcher.start();
        } else {
            // Not started yet: no watcher owned the previous source.
            previousTopology.ifPresent(t -> closeQuietly(t::close, "previous topology source"));
        }
        if (positionProbe != null) {
            positionProbe.close();
            positionProbe = positionProbe(next, nextHealth);
            positionProbe.start();
        }
        closeQuietly(previousHealth::close, "previous health check");
        log.info("reloaded {}: {} backends, check every {}", next.source(), next.backends().size(),
                next.health().interval());
        return notApplied;
    }

    private static java.util.Map<String, String> settingsOf(PluginConfig block) {
        java.util.Map<String, String> values = new java.util.TreeMap<>();
        block.keys().forEach(k -> values.put(k, block.string(k).orElse("")));
        return values;
    }

    private io.pgrouter.core.cluster.PositionProbe positionProbe(RouterConfig c, HealthCheck check) {
        return new io.pgrouter.core.cluster.PositionProbe(c.backends(), c.health().replayCheck(), c.health().interval(),
                c.health().timeout(),
                check, cluster, positions);
    }

    private static void restartNeeded(List<String> notApplied, String what, Object before, Object after) {
        if (!before.equals(after)) {
            String note = "'" + what + "' changed from " + before + " to " + after + "; restart pgrouter to apply it";
            log.warn("reload: {}", note);
            notApplied.add(note);
        }
    }

    private void periodic() {
        try {
            pipeline.periodic();
        } catch (RuntimeException e) {
            log.warn("pipeline periodic task failed", e);
        }
    }

    public ClusterView cluster() {
        return cluster;
    }

    /** Stops in reverse order: no new clients, sessions closed, then the watcher and plugins. */
    @Override
    public void close() {
        discovery.close();
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Monitor m : monitors) {
            closeQuietly(m::close, "monitor");
        }
        closeQuietly(server::close, "server");
        if (watcher != null) {
            closeQuietly(watcher::close, "watcher");
        }
        if (positionProbe != null) {
            closeQuietly(positionProbe::close, "position probe");
        }
        closeQuietly(healthCheck::close, "health check");
        closeQuietly(pipeline::close, "pipeline");
    }

    private static void closeQuietly(Runnable action, String what) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("closing the {} failed", what, e);
        }
    }

    private record Context(ClusterView cluster, RouterStats stats, Supplier<List<PoolStats>> poolStats,
            Optional<Endpoint> monitorAddress, io.pgrouter.spi.cluster.ReplayPositions positions)
            implements MonitorContext {
        @Override
        public List<PoolStats> pools() {
            return poolStats.get();
        }
    }
}
