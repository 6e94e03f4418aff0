package io.pgrouter.core;

import com.sun.management.UnixOperatingSystemMXBean;
import io.pgrouter.core.config.ConfigChecks;
import io.pgrouter.core.config.ConfigErrors;
import io.pgrouter.core.config.ConfigLoader;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.core.plugin.PluginCatalog;
import io.pgrouter.core.plugin.PluginException;
import io.pgrouter.spi.config.ConfigException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgrouter}: the daemon's command line, with the original pgrouter's options. */
@Command(name = "pgrouter", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false,
        description = "A replication-aware PostgreSQL router: reads to caught-up replicas, writes to the primary.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (with -t: the configuration is valid)",
            "1:invalid configuration, or pgrouter could not start"})
final class PgrouterCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(PgrouterCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/pgrouter.conf",
            description = "Configuration file, pgrouter.conf syntax or *.toml (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = {"-F", "--foreground"}, description = "Stay in the foreground.")
    boolean foreground;

    @Option(names = "-v", description = "More logging, to stderr; repeat for more (-vvvvv).")
    boolean[] verbosity = new boolean[0];

    @Option(names = {"-t", "--test"},
            description = "Check the configuration (syntax, files, addresses, pipeline, plugins) and exit.")
    boolean test;

    @Override
    public Integer call() {
        Logging.configure(Logging.DEFAULT_LEVEL, verbosity.length);
        PrintWriter err = spec.commandLine().getErr();
        RouterConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigErrors e) {
            report(err, e.errors());
            return 1;
        }
        Logging.configure(cfg.logLevel(), verbosity.length);
        PluginCatalog plugins;
        try {
            plugins = PluginCatalog.load(pluginsDirectory(cfg));
        } catch (PluginException e) {
            err.println("pgrouter: " + e.getMessage());
            err.flush();
            return 1;
        }
        Router router;
        try {
            router = Router.prepare(cfg, plugins);
        } catch (ConfigErrors e) {
            report(err, e.errors());
            return 1;
        }
        warnAboutDescriptors(cfg, test ? err : null);
        if (test) {
            router.close();
            spec.commandLine().getOut().println("pgrouter: configuration " + config + " is valid");
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (!foreground) {
            // Daemonizing (fork, setsid, dropping privileges) comes with the operations work; a JVM
            // cannot fork itself, so until then pgrouter says so rather than pretend.
            log.warn("daemon mode is not implemented yet: running in the foreground (use -F to silence this)");
        }
        try {
            router.start();
        } catch (Exception e) {
            log.error("cannot start: {}", e.getMessage(), e);
            router.close();
            return 1;
        }
        new Supervisor(router, () -> reload(router)).awaitShutdown();
        return 0;
    }

    /** SIGHUP: a configuration that does not load is logged and changes nothing. */
    private void reload(Router router) {
        try {
            RouterConfig next = ConfigLoader.load(config);
            router.reload(next);
            Logging.configure(next.logLevel(), verbosity.length);
        } catch (ConfigErrors e) {
            for (ConfigException error : e.errors()) {
                log.error("reload rejected: {}", error.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("reload failed", e);
        }
    }

    /**
     * Warns when {@code max_clients} is beyond the process's file-descriptor limit: logged at
     * startup, printed by {@code -t} (which still passes: the limit belongs to the machine).
     */
    private static void warnAboutDescriptors(RouterConfig cfg, PrintWriter testOutput) {
        ConfigChecks.descriptorWarning(cfg, descriptorLimit()).ifPresent(warning -> {
            if (testOutput != null) {
                testOutput.println("pgrouter: warning: " + warning);
                testOutput.flush();
            } else {
                log.warn("{}", warning);
            }
        });
    }

    /** The soft limit on open files, as the JVM (which raises it to the hard limit) sees it; 0 if unknown. */
    private static long descriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 0;
    }

    /** {@code plugins DIR}, or the distribution's own {@code plugins} directory. */
    private static Optional<Path> pluginsDirectory(RouterConfig cfg) {
        if (cfg.plugins().isPresent()) {
            return cfg.plugins();
        }
        String home = System.getProperty("pgrouter.home");
        return home == null ? Optional.empty() : Optional.of(Path.of(home, "plugins")).filter(Files::isDirectory);
    }

    private static void report(PrintWriter err, List<ConfigException> errors) {
        for (ConfigException e : errors) {
            err.println("pgrouter: " + e.getMessage());
        }
        err.flush();
    }
}
