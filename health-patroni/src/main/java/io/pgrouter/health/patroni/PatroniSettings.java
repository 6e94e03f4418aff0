package io.pgrouter.health.patroni;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code patroni { }} block.
 *
 * @param rest Patroni REST API endpoints, tried in turn until one answers
 * @param etcd etcd v3 endpoints whose leader key decides the leader (and is watched); empty to
 *     take the leader from Patroni's {@code /cluster} answer
 * @param leaderKey the etcd key holding the leader's name: {@code NAMESPACE/SCOPE/leader}
 * @param grace how long the last topology stays trusted while Patroni or etcd cannot be reached
 */
record PatroniSettings(List<URI> rest, List<URI> etcd, Optional<String> leaderKey, Duration grace) {
    PatroniSettings {
        rest = List.copyOf(rest);
        etcd = List.copyOf(etcd);
        Objects.requireNonNull(leaderKey, "leaderKey");
        Objects.requireNonNull(grace, "grace");
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("at least one Patroni REST endpoint");
        }
        if (!etcd.isEmpty() && leaderKey.isEmpty()) {
            throw new IllegalArgumentException("etcd needs the leader key");
        }
    }

    /** Patroni's key layout: {@code /service/batman/leader} for namespace {@code /service}, scope {@code batman}. */
    static String leaderKey(String namespace, String scope) {
        String ns = namespace.startsWith("/") ? namespace : "/" + namespace;
        while (ns.endsWith("/")) {
            ns = ns.substring(0, ns.length() - 1);
        }
        return ns + "/" + scope + "/leader";
    }
}
