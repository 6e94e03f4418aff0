package io.pgrouter.core;

import com.sun.management.UnixOperatingSystemMXBean;
import io.pgrouter.core.admin.AdminServer;
import io.pgrouter.core.admin.AdminSettings;
import io.pgrouter.core.admin.PeerPolicy;
import io.pgrouter.core.config.ConfigChecks;
import io.pgrouter.core.config.ConfigErrors;
import io.pgrouter.core.config.ConfigLoader;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.core.plugin.PluginCatalog;
import io.pgrouter.core.plugin.PluginException;
import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
    /**
     * Set by bin/pgrouter when it detaches pgrouter: the file where pgrouter says it serves. The
     * launcher waits for it (or for the process to end) and returns only then.
     */
    static final String READY_FILE_ENV = "PGROUTER_DAEMON_READY";

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

    /** For bin/pgrouter started as root: prints "USER GROUP" (each "-" when not set) and exits. */
    @Option(names = "--print-run-as", hidden = true)
    boolean printRunAs;

    /** Detached by bin/pgrouter: stderr is a file the launcher shows only if startup fails. */
    private boolean daemon;

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
        if (printRunAs) {
            spec.commandLine().getOut().println(cfg.user().orElse("-") + " " + cfg.group().orElse("-"));
            spec.commandLine().getOut().flush();
            return 0;
        }
        String readyFile = System.getenv(READY_FILE_ENV);
        daemon = !foreground && !test && readyFile != null;
        if (daemon && cfg.logfile().isEmpty() && cfg.syslog().isEmpty()) {
            err.println("pgrouter: without -F pgrouter detaches and needs 'logfile FILE' or 'syslog FACILITY' in " + config
                    + " for its log; or run it in the foreground with -F (under systemd, the journal keeps stderr)");
            err.flush();
            return 1;
        }
        if (!test) {
            try {
                Logging.output(cfg.logfile(), cfg.syslog(), true);
            } catch (IOException e) {
                err.println("pgrouter: " + cfg.locationOf("logfile") + ": cannot open logfile: " + e);
                err.flush();
                return 1;
            }
        }
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
        warnAboutLimits(cfg, test ? err : null);
        if (test) {
            router.close();
            spec.commandLine().getOut().println("pgrouter: configuration " + config + " is valid");
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (!foreground && !daemon) {
            // A JVM cannot fork itself: bin/pgrouter detaches it (setsid, redirects, background).
            log.warn("not started by bin/pgrouter, which detaches: running in the foreground (use -F to silence this)");
        }
        warnAboutUser(cfg);
        PidFile pidfile = null;
        Supervisor supervisor = new Supervisor(router, () -> reload(router), PgrouterCommand::reopenLogs,
                router.admin().shutdownTimeout());
        AdminActions actions = new AdminActions(router.sessions(), () -> reload(router), supervisor);
        AdminServer admin = null;
        try {
            if (cfg.pidfile().isPresent()) {
                // Before binding: a second pgrouter names the first rather than a taken port.
                pidfile = PidFile.acquire(cfg.pidfile().get());
            }
            admin = startAdmin(router.admin(), actions);
            router.start();
        } catch (PidFile.AlreadyRunning e) {
            log.error("cannot start: {}", e.getMessage());
            router.close();
            return 1;
        } catch (IOException e) {
            // A taken port, a pidfile that cannot be written: the message says it all.
            log.error("cannot start: {}", e.getMessage());
            log.debug("cannot start", e);
            router.close();
            closeAdmin(admin, actions);
            closePidfile(pidfile);
            return 1;
        } catch (Exception e) {
            log.error("cannot start: {}", e.getMessage(), e);
            router.close();
            closeAdmin(admin, actions);
            closePidfile(pidfile);
            return 1;
        }
        log.info("pgrouter {} serving on {} (pid {})", Version.current(), cfg.listen(), ProcessHandle.current().pid());
        if (daemon) {
            try {
                Files.writeString(Path.of(readyFile), "ready " + ProcessHandle.current().pid() + "\n",
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                log.warn("cannot tell bin/pgrouter that pgrouter is up ({}): it will report a timeout", e.toString());
            }
            try {
                Logging.output(cfg.logfile(), cfg.syslog(), false); // from now on the log file (or syslog) alone
            } catch (IOException e) {
                log.warn("logfile: {}", e.toString());
            }
        }
        supervisor.awaitShutdown();
        closeAdmin(admin, actions);
        closePidfile(pidfile);
        return 0;
    }

    /** The admin channel, when the configuration names its socket; null otherwise. */
    private static AdminServer startAdmin(AdminSettings settings, AdminActions actions) throws IOException {
        if (settings.socket().isEmpty()) {
            return null;
        }
        AdminServer admin = new AdminServer(settings.socket().get(), settings.sharedWithOthers(),
                PeerPolicy.of(settings), actions);
        admin.start();
        return admin;
    }

    private static void closeAdmin(AdminServer admin, AdminActions actions) {
        actions.close();
        if (admin != null) {
            admin.close();
        }
    }

    private static void closePidfile(PidFile pidfile) {
        if (pidfile != null) {
            try {
                pidfile.close();
            } catch (IOException e) {
                log.warn("{}", e.getMessage());
            }
        }
    }

    /** SIGUSR1 and SIGHUP: logrotate moved the log file; a new one is opened under its name. */
    private static void reopenLogs() {
        try {
            if (Logging.reopen()) {
                log.info("log file reopened");
            }
        } catch (IOException e) {
            log.error("cannot reopen logfile: {}", e.toString());
        }
    }

    /**
     * {@code user}/{@code group} are applied by bin/pgrouter, which starts the JVM under them when
     * it runs as root. Anyone else cannot switch users: pgrouter runs on as itself and says so.
     */
    private static void warnAboutUser(RouterConfig cfg) {
        String me = System.getProperty("user.name", "?");
        cfg.user().filter(user -> !user.equals(me)).ifPresent(user -> log.warn(
                "{}: 'user {}' is not applied: pgrouter runs as '{}' (only bin/pgrouter started as root switches users)",
                cfg.locationOf("user"), user, me));
    }

    /**
     * SIGHUP and {@code pgrouter-cli reload}: a configuration that does not load is logged,
     * reported, and changes nothing. Serialised: two reloads at once would race on the logging.
     */
    private synchronized AdminActions.Reloaded reload(Router router) {
        try {
            RouterConfig next = ConfigLoader.load(config);
            List<String> notes = new ArrayList<>(router.reload(next));
            Logging.configure(next.logLevel(), verbosity.length);
            try {
                Logging.output(next.logfile(), next.syslog(), !daemon);
            } catch (IOException e) {
                log.error("{}: cannot open logfile, logging on as before: {}", next.locationOf("logfile"), e.toString());
                notes.add(next.locationOf("logfile") + ": cannot open logfile, logging on as before: " + e);
            }
            return new AdminActions.Reloaded(List.of(), notes);
        } catch (ConfigErrors e) {
            List<String> errors = new ArrayList<>();
            for (ConfigException error : e.errors()) {
                log.error("reload rejected: {}", error.getMessage());
                errors.add(error.getMessage());
            }
            return new AdminActions.Reloaded(errors, List.of());
        } catch (RuntimeException e) {
            log.error("reload failed", e);
            return new AdminActions.Reloaded(List.of("reload failed: " + e), List.of());
        }
    }

    /**
     * Warns when {@code max_clients} is beyond the process's file-descriptor limit, or
     * {@code max_buffered} beyond the JVM's direct memory: logged at
     * startup, printed by {@code -t} (which still passes: the limit belongs to the machine).
     */
    private static void warnAboutLimits(RouterConfig cfg, PrintWriter testOutput) {
        java.util.stream.Stream.of(ConfigChecks.descriptorWarning(cfg, descriptorLimit()),
                ConfigChecks.bufferWarning(cfg, io.pgrouter.core.protocol.BufferBudget.directMemoryLimit()))
                .flatMap(Optional::stream).forEach(warning -> {
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
