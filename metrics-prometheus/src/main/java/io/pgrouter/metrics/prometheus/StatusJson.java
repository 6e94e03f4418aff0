package io.pgrouter.metrics.prometheus;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders {@code /status}: the same state as {@code /metrics}, as one JSON object for scripts and
 * people. Field names are snake_case; absent values are {@code null}; durations are seconds.
 * docs/metrics.md shows an example.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats, List<PoolStats> pools) {
        WriteHealth health = WriteHealth.of(snapshot);
        Map<Endpoint, Long> requests = stats.requests();
        Map<Endpoint, Map<Routed, Long>> routedAll = stats.routed();
        StringBuilder j = new StringBuilder(1024);
        j.append("{\n");
        field(j, "  ", "writable", Boolean.toString(health.writable())).append(",\n");
        field(j, "  ", "health", string(health.reason())).append(",\n");
        field(j, "  ", "primary", snapshot.primary().map(p -> string(p.address().toString())).orElse("null")).append(",\n");
        field(j, "  ", "split_brain", Boolean.toString(snapshot.splitBrain())).append(",\n");
        field(j, "  ", "generation", Long.toString(snapshot.generation())).append(",\n");
        field(j, "  ", "published_at", string(snapshot.publishedAt().toString())).append(",\n");
        field(j, "  ", "workers", Integer.toString(stats.workers())).append(",\n");
        field(j, "  ", "clients", Long.toString(stats.clients())).append(",\n");
        field(j, "  ", "server_connections", Long.toString(stats.connections())).append(",\n");
        j.append("  \"backends\": [");
        String sep = "\n";
        for (BackendState b : snapshot.backends()) {
            j.append(sep).append("    {");
            field(j, "", "address", string(b.address().toString())).append(", ");
            field(j, "", "role", string(b.role().name().toLowerCase(Locale.ROOT))).append(", ");
            field(j, "", "status", string(b.status().name().toLowerCase(Locale.ROOT))).append(", ");
            field(j, "", "weight", Integer.toString(b.weight())).append(", ");
            field(j, "", "eligible_for_reads", Boolean.toString(b.isEligibleForReads())).append(", ");
            field(j, "", "lag_bytes", b.isOk() ? Long.toString(b.lagBytes()) : "null").append(", ");
            field(j, "", "lag_threshold_bytes", Long.toString(b.lagThreshold())).append(", ");
            field(j, "", "lagging", Boolean.toString(b.isLagging())).append(", ");
            field(j, "", "replay_delay_seconds", seconds(b.isOk() ? b.replayDelay() : Optional.empty())).append(", ");
            field(j, "", "max_replay_delay_seconds",
                    seconds(Optional.of(b.maxReplayDelay()).filter(d -> !d.isZero()))).append(", ");
            field(j, "", "delayed", Boolean.toString(b.isDelayed())).append(", ");
            field(j, "", "following", string(b.following().monitorName())).append(", ");
            field(j, "", "not_following", Boolean.toString(b.isNotFollowing())).append(", ");
            field(j, "", "requests", Long.toString(requests.getOrDefault(b.address(), 0L))).append(", ");
            field(j, "", "routed", routed(routedAll.getOrDefault(b.address(), Map.of()))).append(", ");
            field(j, "", "checked_at", b.checkedAt().equals(Instant.EPOCH) ? "null" : string(b.checkedAt().toString()))
                    .append(", ");
            field(j, "", "error", b.error().map(StatusJson::string).orElse("null"));
            j.append('}');
            sep = ",\n";
        }
        j.append(snapshot.backends().isEmpty() ? "],\n" : "\n  ],\n");
        j.append("  \"pools\": [");
        sep = "\n";
        for (PoolStats p : pools.stream().sorted(MetricsText.POOL_ORDER).toList()) {
            j.append(sep).append("    {");
            field(j, "", "backend", string(p.address().toString())).append(", ");
            field(j, "", "database", string(p.database())).append(", ");
            field(j, "", "user", string(p.user())).append(", ");
            field(j, "", "active", Integer.toString(p.active())).append(", ");
            field(j, "", "idle", Integer.toString(p.idle())).append(", ");
            field(j, "", "waiting", Integer.toString(p.waiting())).append(", ");
            field(j, "", "longest_wait_seconds", Exposition.seconds(p.longestWait()));
            j.append('}');
            sep = ",\n";
        }
        j.append(pools.isEmpty() ? "]\n" : "\n  ]\n");
        j.append("}\n");
        return j.toString();
    }

    private static StringBuilder field(StringBuilder j, String indent, String name, String json) {
        return j.append(indent).append('"').append(name).append("\": ").append(json);
    }

    /** Requests routed by kind, every kind present: {@code {"read": 3, "write": 1, "retried": 0}}. */
    private static String routed(Map<Routed, Long> kinds) {
        StringBuilder o = new StringBuilder("{");
        for (Routed kind : Routed.values()) {
            o.append(kind.ordinal() == 0 ? "" : ", ");
            field(o, "", kind.label(), Long.toString(kinds.getOrDefault(kind, 0L)));
        }
        return o.append('}').toString();
    }

    private static String seconds(Optional<Duration> d) {
        return d.map(Exposition::seconds).orElse("null");
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
