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
    private ConfigChecks() {
    }

    public static List<ConfigException> filesReadable(RouterConfig c) {
        List<ConfigException> problems = new ArrayList<>();
        readable(problems, c.hba(), c.locationOf("hba"), "hba file");
        readable(problems, c.authdb(), c.locationOf("authdb"), "authdb file");
        c.tls().ifPresent(tls -> {
            readable(problems, Optional.of(tls.cert()), c.locationOf("tls.cert"), "TLS certificate");
            readable(problems, Optional.of(tls.key()), c.locationOf("tls.key"), "TLS key");
        });
        c.pidfile().map(Path::getParent).filter(dir -> !Files.isDirectory(dir)).ifPresent(dir -> problems.add(
                new ConfigException(c.locationOf("pidfile"), "pidfile directory " + dir + " does not exist")));
        c.plugins().filter(dir -> !Files.isDirectory(dir)).ifPresent(dir -> problems.add(
                new ConfigException(c.locationOf("plugins"), "plugins directory " + dir + " does not exist")));
        resolvable(problems, c.listen(), c.locationOf("listen"));
        resolvable(problems, c.monitor(), c.locationOf("monitor"));
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
