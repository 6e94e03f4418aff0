package io.pgrouter.core.plugin;

import io.pgrouter.spi.health.HealthCheckFactory;
import io.pgrouter.spi.health.TopologySourceFactory;
import io.pgrouter.spi.monitor.MonitorFactory;
import io.pgrouter.spi.pipeline.PipelineFactory;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.LayerInstantiationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin pgrouter can use: the built-in modules on the module path, plus the jars of the
 * {@code plugins} directory, resolved into a {@link ModuleLayer} of their own on top of the boot
 * layer. Providers are found with {@link ServiceLoader} on that layer, so a third-party plugin
 * needs nothing but a modular jar that {@code provides} a factory.
 */
public final class PluginCatalog {
    private static final Logger log = LoggerFactory.getLogger(PluginCatalog.class);

    private final Map<String, PipelineFactory> pipelines;
    private final Map<String, HealthCheckFactory> healthChecks;
    private final Map<String, MonitorFactory> monitors;
    private final Map<String, TopologySourceFactory> topologySources;

    private PluginCatalog(ModuleLayer layer, ClassLoader fallback) {
        pipelines = load(PipelineFactory.class, layer, fallback, PipelineFactory::name);
        healthChecks = load(HealthCheckFactory.class, layer, fallback, HealthCheckFactory::name);
        monitors = load(MonitorFactory.class, layer, fallback, MonitorFactory::name);
        topologySources = load(TopologySourceFactory.class, layer, fallback, TopologySourceFactory::name);
    }

    /**
     * Loads the built-in plugins and those in {@code pluginsDir}.
     *
     * @throws PluginException when a jar cannot be resolved (missing dependency, clashing
     *     package, not a module), or two plugins share a name
     */
    public static PluginCatalog load(Optional<Path> pluginsDir) throws PluginException {
        boolean modular = PluginCatalog.class.getModule().isNamed();
        List<Path> jars = pluginsDir.map(PluginCatalog::jarsIn).orElse(List.of());
        if (jars.isEmpty()) {
            return build(ModuleLayer.boot(), PluginCatalog.class.getClassLoader());
        }
        if (!modular) {
            throw new PluginException("plugins " + pluginsDir.get() + ": drop-in plugins need pgrouter to run on the "
                    + "module path (bin/pgrouter does)");
        }
        ModuleLayer boot = ModuleLayer.boot();
        // The directory itself, not its jars one by one: then two jars holding the same module
        // are a FindException instead of the second being silently ignored.
        ModuleFinder finder = ModuleFinder.of(pluginsDir.get());
        try {
            Set<String> roots = finder.findAll().stream()
                    .map(ref -> ref.descriptor().name())
                    .collect(Collectors.toSet());
            Configuration cf = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            ModuleLayer layer = boot.defineModulesWithOneLoader(cf, PluginCatalog.class.getClassLoader());
            log.info("plugins {}: loaded {}", pluginsDir.get(), finder.findAll().stream()
                    .map(ModuleReference::descriptor).map(d -> d.toNameAndVersion()).sorted().toList());
            return build(layer, null);
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new PluginException("plugins " + pluginsDir.get() + ": cannot load plugin jars: " + e.getMessage(), e);
        }
    }

    private static PluginCatalog build(ModuleLayer layer, ClassLoader fallback) throws PluginException {
        try {
            return new PluginCatalog(layer, fallback);
        } catch (ServiceConfigurationError | IllegalStateException e) {
            throw new PluginException(e.getMessage(), e);
        }
    }

    private static List<Path> jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * On the module path, providers come from the layer (and its parents). Run from the class
     * path (unit tests), there is no named layer to search, so the class loader is used.
     */
    private static <T> Map<String, T> load(Class<T> service, ModuleLayer layer, ClassLoader fallback,
            Function<T, String> name) {
        ServiceLoader<T> loader = PluginCatalog.class.getModule().isNamed() || fallback == null
                ? ServiceLoader.load(layer, service)
                : ServiceLoader.load(service, fallback);
        Map<String, T> byName = new TreeMap<>();
        for (T provider : loader) {
            T previous = byName.putIfAbsent(name.apply(provider), provider);
            if (previous != null && previous.getClass() != provider.getClass()) {
                throw new IllegalStateException("two " + service.getSimpleName() + " plugins are named '"
                        + name.apply(provider) + "': " + previous.getClass().getName() + " and "
                        + provider.getClass().getName());
            }
        }
        return Map.copyOf(byName);
    }

    public Map<String, PipelineFactory> pipelines() {
        return pipelines;
    }

    public Map<String, HealthCheckFactory> healthChecks() {
        return healthChecks;
    }

    public Map<String, MonitorFactory> monitors() {
        return monitors;
    }

    public Map<String, TopologySourceFactory> topologySources() {
        return topologySources;
    }

    /** Every plugin name, of any kind: the top-level blocks that may appear in the config. */
    public Set<String> names() {
        return Stream.of(pipelines.keySet(), healthChecks.keySet(), monitors.keySet(), topologySources.keySet())
                .flatMap(Set::stream).collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
