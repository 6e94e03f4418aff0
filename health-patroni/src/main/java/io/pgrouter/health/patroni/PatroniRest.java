package io.pgrouter.health.patroni;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.health.TopologyMember;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Patroni's REST API: {@code GET /cluster} lists every member with its role ({@code leader},
 * {@code replica}, {@code sync_standby}, ...), state ({@code running}, {@code streaming},
 * {@code stopped}, ...), PostgreSQL host and port, timeline, lag and tags. Patroni reads it from
 * its DCS on every call, so a member answering means the DCS answered it too.
 */
final class PatroniRest {
    private final Endpoints endpoints;

    PatroniRest(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    List<TopologyMember> cluster(Duration timeout) throws IOException, InterruptedException {
        String body = endpoints.fetch(base -> HttpRequest.newBuilder(base.resolve("/cluster")).GET(), timeout);
        return members(body);
    }

    /** The members of a {@code /cluster} answer; those without a PostgreSQL address are skipped. */
    static List<TopologyMember> members(String body) throws IOException {
        Map<String, Object> root = Json.object(Json.parse(body), "Patroni /cluster");
        List<TopologyMember> result = new ArrayList<>();
        for (Object item : Json.array(root.getOrDefault("members", List.of()), "Patroni /cluster members")) {
            Map<String, Object> m = Json.object(item, "Patroni /cluster member");
            Optional<String> name = Json.string(m, "name");
            Optional<String> host = Json.string(m, "host");
            OptionalLong port = Json.integer(m, "port");
            if (name.isEmpty() || host.isEmpty() || port.isEmpty()) {
                continue; // a member that has not published its connection address yet
            }
            String role = Json.string(m, "role").orElse("replica");
            Map<String, Object> tags = m.get("tags") instanceof Map<?, ?> ? Json.object(m.get("tags"), "tags") : Map.of();
            result.add(new TopologyMember(name.get(), new Endpoint(host.get(), (int) port.getAsLong()),
                    role.equals("leader") || role.equals("standby_leader"), role, Json.string(m, "state").orElse("unknown"),
                    Json.integer(m, "timeline"), Json.integer(m, "lag"), Json.flag(tags, "noloadbalance")));
        }
        return result;
    }
}
