package io.pgrouter.health.patroni;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.health.TopologySource;
import io.pgrouter.spi.health.TopologySourceFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code health { topology patroni }} with its block:
 * <pre>
 * patroni {
 *     rest http://10.0.0.1:8008,http://10.0.0.2:8008   # Patroni REST API, tried in turn (required)
 *     etcd http://10.0.0.1:2379,http://10.0.0.2:2379   # etcd v3: the leader key decides and is watched
 *     scope batman                                     # Patroni's scope (required with etcd)
 *     namespace /service                               # Patroni's namespace (default /service)
 *     dcs_grace 10s                                    # keep the last topology this long when unreachable
 * }
 * </pre>
 */
public final class PatroniTopologySourceFactory implements TopologySourceFactory {
    static final Set<String> KEYS = Set.of("rest", "etcd", "scope", "namespace", "dcs_grace");
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "patroni";
    }

    @Override
    public TopologySource create(PluginConfig config) {
        return new PatroniTopologySource(settings(config));
    }

    static PatroniSettings settings(PluginConfig config) {
        config.allowOnly(KEYS);
        Setting rest = config.setting("rest").orElseThrow(() -> new ConfigException(config.location(),
                "patroni: 'rest' is required: Patroni's REST API, e.g. rest http://10.0.0.1:8008,http://10.0.0.2:8008"));
        List<URI> restUris = uris(rest);
        List<URI> etcdUris = config.setting("etcd").map(PatroniTopologySourceFactory::uris).orElse(List.of());
        Optional<String> scope = config.string("scope");
        if (!etcdUris.isEmpty() && scope.isEmpty()) {
            throw new ConfigException(config.setting("etcd").get().location(),
                    "patroni: 'etcd' needs 'scope' (Patroni's scope) to find the leader key");
        }
        Duration grace = config.duration("dcs_grace", DEFAULT_GRACE);
        if (grace.isNegative()) {
            throw new ConfigException(config.setting("dcs_grace").get().location(), "patroni: dcs_grace must not be negative");
        }
        Optional<String> key = etcdUris.isEmpty() ? Optional.empty()
                : Optional.of(PatroniSettings.leaderKey(config.string("namespace", "/service"), scope.get()));
        return new PatroniSettings(restUris, etcdUris, key, grace);
    }

    /** A comma-separated list of http(s) base URLs. */
    private static List<URI> uris(Setting setting) {
        List<URI> result = new ArrayList<>();
        for (String part : setting.value().split(",")) {
            String text = part.strip();
            if (text.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            } catch (URISyntaxException e) {
                throw new ConfigException(setting.location(), "patroni: bad URL '" + text + "' (expected http://HOST:PORT or https://HOST:PORT): " + e.getMessage());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(setting.location(),
                        "patroni: expected http://HOST:PORT or https://HOST:PORT, found '" + text + "'");
            }
            result.add(uri);
        }
        if (result.isEmpty()) {
            throw new ConfigException(setting.location(), "patroni: no URL given");
        }
        return result;
    }
}
