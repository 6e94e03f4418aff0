package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgrouter -t} checks beyond syntax without plugins: files readable, directories
 * present, local addresses resolvable.
 */
public final class ConfigChecks {
    /** Why a configuration without a backend is refused, at the file's location. */
    static final String NO_BACKEND = "no backend: declare at least one with backend HOST:PORT "
            + "(a configuration without one would refuse every client)";

    private ConfigChecks() {
    }

    /**
     * What a configuration must hold to route anything: at least one backend, or a source that
     * lists them ({@code backends NAME}). The loader refuses
     * such a file already; {@code Router.prepare} and {@code Router.reload} apply the same check to
     * whatever configuration they are given, so a reload can never take every backend away.
     */
    public static List<ConfigException> routable(RouterConfig c) {
        return c.backends().isEmpty() && c.discovery().isEmpty() ? List.of(new ConfigException(c.source().toString(), NO_BACKEND)) : List.of();
    }

    /**
     * The startup warning for a {@code max_clients} beyond the process's file-descriptor limit:
     * every client takes a descriptor (and a server connection another), so beyond the limit the
     * operating system refuses connections before {@code max_clients} does.
     *
     * @param descriptorLimit the soft limit on open files ({@code ulimit -n}); 0 or less when unknown
     */
    public static Optional<String> descriptorWarning(RouterConfig c, long descriptorLimit) {
        int maxClients = c.limits().maxClients();
        if (descriptorLimit <= 0 || maxClients <= descriptorLimit) {
            return Optional.empty();
        }
        return Optional.of(c.locationOf("max_clients") + ": max_clients " + maxClients
                + " exceeds this process's file-descriptor limit of " + descriptorLimit
                + " (each client needs one, its server connection another): raise the limit (ulimit -n, "
                + "systemd's LimitNOFILE) or lower max_clients");
    }

    /**
     * The startup warning for a {@code max_buffered} beyond the JVM's direct memory, where held
     * messages live: the JVM would run out before the budget does (such a message still gets
     * 53200, but the budget no longer says when).
     *
     * @param directMemoryLimit the JVM's {@code -XX:MaxDirectMemorySize}
     */
    public static Optional<String> bufferWarning(RouterConfig c, long directMemoryLimit) {
        long maxBuffered = c.limits().maxBuffered();
        if (directMemoryLimit <= 0 || maxBuffered <= directMemoryLimit) {
            return Optional.empty();
        }
        return Optional.of(c.locationOf("max_buffered") + ": max_buffered " + maxBuffered
                + " exceeds the direct memory this JVM may use, " + directMemoryLimit + " bytes, which also holds every "
                + "connection's reads and writes: raise PGROUTER_DIRECT_MEMORY (bin/pgrouter) to twice max_buffered, "
                + "or lower max_buffered");
    }

    public static List<ConfigException> filesReadable(RouterConfig c) {
        List<ConfigException> problems = new ArrayList<>(securityFilesReadable(c));
        c.pidfile().map(Path::getParent).filter(dir -> !Files.isDirectory(dir)).ifPresent(dir -> problems.add(
                new ConfigException(c.locationOf("pidfile"), "pidfile directory " + dir + " does not exist")));
        c.logfile().map(Path::getParent).filter(dir -> !Files.isDirectory(dir)).ifPresent(dir -> problems.add(
                new ConfigException(c.locationOf("logfile"), "logfile directory " + dir + " does not exist")));
        c.plugins().filter(dir -> !Files.isDirectory(dir)).ifPresent(dir -> problems.add(
                new ConfigException(c.locationOf("plugins"), "plugins directory " + dir + " does not exist")));
        resolvable(problems, c.listen(), c.locationOf("listen"));
        resolvable(problems, c.monitor(), c.locationOf("monitor"));
        return problems;
    }

    /**
     * The files pgrouter's own authentication and TLS read (hba, authdb, TLS certificate and key),
     * each reported at the directive naming it. Whoever loads those files skips the ones listed
     * here, so that a missing file is reported once, in these words.
     */
    public static List<ConfigException> securityFilesReadable(RouterConfig c) {
        List<ConfigException> problems = new ArrayList<>();
        readable(problems, c.hba(), c.locationOf("hba"), "hba file");
        readable(problems, c.authdb(), c.locationOf("authdb"), "authdb file");
        c.tls().ifPresent(tls -> {
            readable(problems, Optional.of(tls.cert()), c.locationOf("tls.cert"), "TLS certificate");
            readable(problems, Optional.of(tls.key()), c.locationOf("tls.key"), "TLS key");
        });
        return problems;
    }

    private static void readable(List<ConfigException> problems, Optional<Path> file, String location, String what) {
        file.filter(f -> !Files.isReadable(f) || Files.isDirectory(f)).ifPresent(f -> problems.add(
                new ConfigException(location, what + " " + f + " is not a readable file")));
    }

    private static void resolvable(List<ConfigException> problems, Endpoint e, String location) {
        if (e.isWildcard()) {
            return;
        }
        try {
            InetAddress.getByName(e.host());
        } catch (UnknownHostException ex) {
            problems.add(new ConfigException(location, "cannot resolve host '" + e.host() + "'"));
        }
    }
}
