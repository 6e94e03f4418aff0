package io.pgrouter.core;

import io.netty.handler.ssl.SslContext;
import io.pgrouter.core.auth.AuthDb;
import io.pgrouter.core.auth.HbaRules;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.config.ConfigChecks;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.core.server.Security;
import io.pgrouter.core.tls.BackendTls;
import io.pgrouter.core.tls.ServerTls;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the files {@link Security} is made of (hba, authdb, TLS keys and CAs), at startup, for
 * {@code pgrouter -t}, and on every reload.
 */
final class SecurityLoader {
    /**
     * The rule applied when an authdb is configured without an hba file: every client logs in with
     * SCRAM-SHA-256, the strongest method, which works for users stored with a password or a
     * SCRAM verifier.
     */
    static final String IMPLICIT_HBA = "host all all all scram-sha-256\n";

    private SecurityLoader() {
    }

    /** Loads everything, adding each problem to {@code problems}; null when there were any. */
    static Security load(RouterConfig config, List<ConfigException> problems) {
        int before = problems.size();
        // A file that is not there is reported once, at its directive (pgrouter -t has listed it
        // already with the other files), and not read again for a second, vaguer error.
        Set<String> unreadable = new HashSet<>();
        for (ConfigException missing : ConfigChecks.securityFilesReadable(config)) {
            unreadable.add(missing.location());
            if (problems.stream().noneMatch(p -> p.getMessage().equals(missing.getMessage()))) {
                problems.add(missing);
            }
        }
        Optional<HbaRules> hba = unreadable.contains(config.locationOf("hba")) ? null
                : attempt(problems, () -> config.hba().map(HbaRules::load));
        AuthDb authdb = unreadable.contains(config.locationOf("authdb")) ? null
                : attempt(problems, () -> config.authdb().map(AuthDb::load).orElse(Security.NONE.authdb()));
        if (hba != null && hba.isEmpty() && config.authdb().isPresent()) {
            hba = Optional.of(HbaRules.parse(IMPLICIT_HBA, "implicit hba (authdb without hba)"));
        }
        boolean tlsFilesMissing = unreadable.contains(config.locationOf("tls.cert"))
                || unreadable.contains(config.locationOf("tls.key"));
        Optional<ServerTls> clientTls = tlsFilesMissing ? null
                : attempt(problems, () -> config.tls().map(ServerTls::load));
        Map<Endpoint, SslContext> backendTls = new HashMap<>();
        for (BackendConfig b : config.backends()) {
            Optional<SslContext> context = attempt(problems, () -> BackendTls.forMode(b.tls(), b.ca(), b.location()));
            if (context != null) {
                context.ifPresent(c -> backendTls.put(b.address(), c));
            }
        }
        if (problems.size() > before || !unreadable.isEmpty()) {
            return null;
        }
        return new Security(hba, authdb, clientTls, backendTls);
    }

    private static <T> T attempt(List<ConfigException> problems, java.util.function.Supplier<T> load) {
        try {
            return load.get();
        } catch (ConfigException e) {
            problems.add(e);
            return null;
        }
    }
}
