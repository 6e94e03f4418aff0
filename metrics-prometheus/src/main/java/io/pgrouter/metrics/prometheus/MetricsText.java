package io.pgrouter.metrics.prometheus;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders {@code /metrics}: one snapshot of the cluster, the router's counters and its pools in
 * the Prometheus text format. docs/metrics.md lists every family; keep the two in step.
 *
 * <p>Backends come in configuration order, pools sorted by backend, database and user, so the
 * same state always renders the same text. Values that do not exist are left out rather than
 * given a made-up number: a replica's lag and replay delay only while it answers, a last-check
 * time only once it has been probed.
 */
final class MetricsText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    static final Comparator<PoolStats> POOL_ORDER = Comparator
            .comparing((PoolStats p) -> p.address().host())
            .thenComparingInt(p -> p.address().port())
            .thenComparing(PoolStats::database)
            .thenComparing(PoolStats::user);

    private static final String GAUGE = "gauge";
    private static final String COUNTER = "counter";
    /** Every reason core counts, each with a series from the start, so that rate() sees the first failure. */
    private static final List<String> AUTH_FAILURE_REASONS = List.of("hba", "password", "unknown_user", "timeout");
    private static final String BACKEND = "backend";

    private MetricsText() {
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats, List<PoolStats> pools) {
        return render(snapshot, stats, pools, io.pgrouter.spi.cluster.ReplayPositions.NONE);
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats, List<PoolStats> pools,
            io.pgrouter.spi.cluster.ReplayPositions positions) {
        Exposition e = new Exposition();
        List<BackendState> backends = snapshot.backends();

        e.family("pgrouter_backend_up", GAUGE, "1 when the backend answered its last health probe, 0 otherwise.");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_up", b.isOk(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_status", GAUGE,
                "The backend's health: 1 for its current status (starting, ok, failed), 0 for the others.");
        for (BackendState b : backends) {
            for (Status s : Status.values()) {
                e.sample("pgrouter_backend_status", b.status() == s, BACKEND, label(b), "status", word(s.name()));
            }
        }
        e.family("pgrouter_backend_role", GAUGE,
                "What the backend last claimed to be: 1 for its role (primary, replica, unknown), 0 for the others.");
        for (BackendState b : backends) {
            for (Role r : Role.values()) {
                e.sample("pgrouter_backend_role", b.role() == r, BACKEND, label(b), "role", word(r.name()));
            }
        }
        e.family("pgrouter_backend_primary", GAUGE,
                "1 for the backend pgrouter sends writes to, 0 for the others.");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_primary",
                    snapshot.primary().filter(p -> p.address().equals(b.address())).isPresent(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_eligible_for_reads", GAUGE, "1 when the backend may serve reads now: an OK "
                + "replica that follows the primary, within its lag threshold and replay-delay limit, with a positive weight.");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_eligible_for_reads", b.isEligibleForReads(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_weight", GAUGE, "The backend's configured share of reads among eligible replicas.");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_weight", b.weight(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_lag_bytes", GAUGE,
                "Replay lag of an OK replica in bytes: the primary's WAL position minus the replica's replayed one.");
        for (BackendState b : backends) {
            if (b.isOk() && b.role() == Role.REPLICA) {
                e.sample("pgrouter_backend_lag_bytes", b.lagBytes(), BACKEND, label(b));
            }
        }
        e.family("pgrouter_backend_replayed_wal_bytes", GAUGE, "The WAL position an OK replica has replayed, in bytes "
                + "since the start of WAL, as the position probe last read it (every replay_check), when known.");
        for (BackendState b : backends) {
            long replayed = b.isOk() && b.role() == Role.REPLICA ? positions.known(b.address()) : 0;
            if (replayed > 0) {
                e.sample("pgrouter_backend_replayed_wal_bytes", replayed, BACKEND, label(b));
            }
        }
        e.family("pgrouter_backend_lag_threshold_bytes", GAUGE,
                "Replay lag in bytes above which a replica serves no reads (the backend's lag setting).");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_lag_threshold_bytes", b.lagThreshold(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_lagging", GAUGE, "1 when an OK replica's lag is past its threshold (it serves no reads).");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_lagging", b.isLagging(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_replay_delay_seconds", GAUGE,
                "Time since the last transaction an OK replica replayed was committed on the primary, when known.");
        for (BackendState b : backends) {
            if (b.isOk()) {
                b.replayDelay().ifPresent(d -> e.sample("pgrouter_backend_replay_delay_seconds", d, BACKEND, label(b)));
            }
        }
        e.family("pgrouter_backend_max_replay_delay_seconds", GAUGE,
                "Replay delay above which a replica serves no reads (max_replay_delay); absent when there is no limit.");
        for (BackendState b : backends) {
            if (!b.maxReplayDelay().isZero()) {
                e.sample("pgrouter_backend_max_replay_delay_seconds", b.maxReplayDelay(), BACKEND, label(b));
            }
        }
        e.family("pgrouter_backend_delayed", GAUGE,
                "1 when an OK replica's replay delay is past its max_replay_delay (it serves no reads).");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_delayed", b.isDelayed(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_following", GAUGE, "How an OK replica follows the primary: 1 for its state "
                + "(streaming, archive, orphaned, other-timeline, replay-paused; unknown when not judged or not an OK replica), 0 for the others.");
        for (BackendState b : backends) {
            for (Following f : Following.values()) {
                e.sample("pgrouter_backend_following", b.following() == f, BACKEND, label(b), "state", f.monitorName());
            }
        }
        e.family("pgrouter_backend_not_following", GAUGE,
                "1 when an OK replica does not provably follow the primary (it serves no reads).");
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_not_following", b.isNotFollowing(), BACKEND, label(b));
        }
        e.family("pgrouter_backend_last_check_timestamp_seconds", GAUGE,
                "When the backend's last health probe finished, in seconds since the epoch; absent before the first.");
        for (BackendState b : backends) {
            if (!b.checkedAt().equals(Instant.EPOCH)) {
                e.sample("pgrouter_backend_last_check_timestamp_seconds", b.checkedAt(), BACKEND, label(b));
            }
        }

        e.family("pgrouter_backend_requests_total", COUNTER, "Requests sessions sent to the backend since pgrouter "
                + "started: Query, Sync (the end of an extended-protocol group) and FunctionCall messages.");
        Map<Endpoint, Long> requests = stats.requests();
        for (BackendState b : backends) {
            e.sample("pgrouter_backend_requests_total", requests.getOrDefault(b.address(), 0L), BACKEND, label(b));
        }
        // Backends removed by a reload keep their count until pgrouter restarts.
        Map<String, Long> removed = new TreeMap<>();
        requests.forEach((address, count) -> {
            if (snapshot.backend(address).isEmpty()) {
                removed.put(address.toString(), count);
            }
        });
        removed.forEach((address, count) -> e.sample("pgrouter_backend_requests_total", count, BACKEND, address));
        statementsRouted(e, snapshot, stats.routed());

        WriteHealth health = WriteHealth.of(snapshot);
        e.family("pgrouter_writable", GAUGE,
                "1 when pgrouter can serve writes (a primary is known, up, and no split brain): what /health answers.");
        e.sample("pgrouter_writable", health.writable());
        e.family("pgrouter_split_brain", GAUGE, "1 when more than one backend claims to be primary.");
        e.sample("pgrouter_split_brain", snapshot.splitBrain());
        snapshot.topology().ifPresent(t -> {
            e.family("pgrouter_topology_freshness", GAUGE, "When pgrouter follows an HA manager: 1 for how current "
                    + "its topology is (current; stale: unreachable, kept within its grace; lost: past it, no writes).");
            for (TopologyStatus.Freshness f : TopologyStatus.Freshness.values()) {
                e.sample("pgrouter_topology_freshness", t.freshness() == f, "source", t.source(), "state", f.monitorName());
            }
            e.family("pgrouter_topology_last_seen_timestamp_seconds", GAUGE,
                    "When the HA manager's topology last answered, in seconds since the epoch (0: never).");
            e.sample("pgrouter_topology_last_seen_timestamp_seconds", t.lastSeen(), "source", t.source());
            e.family("pgrouter_backend_ha_held", GAUGE, "1 when the HA manager keeps an OK replica from reads "
                    + "(tagged noloadbalance, not running, or not a member).");
            for (BackendState b : snapshot.backends()) {
                e.sample("pgrouter_backend_ha_held", b.isHeldByHa(), BACKEND, label(b));
            }
            e.family("pgrouter_backend_ha_disagreement", GAUGE,
                    "1 when the health check's probe disagrees with the HA manager about the backend's role.");
            for (BackendState b : snapshot.backends()) {
                e.sample("pgrouter_backend_ha_disagreement",
                        b.ha().flatMap(m -> m.disagreement()).isPresent(), BACKEND, label(b));
            }
        });
        e.family("pgrouter_snapshot_generation", GAUGE,
                "Generation of the cluster snapshot shown; it increases with every health-check round.");
        e.sample("pgrouter_snapshot_generation", snapshot.generation());
        e.family("pgrouter_snapshot_published_timestamp_seconds", GAUGE,
                "When the cluster snapshot shown was published, in seconds since the epoch.");
        e.sample("pgrouter_snapshot_published_timestamp_seconds", snapshot.publishedAt());

        e.family("pgrouter_workers", GAUGE, "Worker (event loop) threads.");
        e.sample("pgrouter_workers", stats.workers());
        e.family("pgrouter_clients", GAUGE, "Client connections open now.");
        e.sample("pgrouter_clients", stats.clients());
        e.family("pgrouter_server_connections", GAUGE, "Backend (server) connections open now.");
        e.sample("pgrouter_server_connections", stats.connections());
        e.family("pgrouter_paused", GAUGE, "1 while pgrouter is paused (pgrouter-cli pause): new requests are held.");
        e.sample("pgrouter_paused", stats.pausedSince().isPresent());
        e.family("pgrouter_paused_sessions", GAUGE, "Sessions holding a request until the pause ends.");
        e.sample("pgrouter_paused_sessions", stats.heldSessions());
        e.family("pgrouter_draining", GAUGE, "1 while pgrouter drains (pgrouter-cli drain): no new clients, "
                + "exits when the last session ends.");
        e.sample("pgrouter_draining", stats.drainingSince().isPresent());
        e.family("pgrouter_buffered_bytes", GAUGE, "Bytes held now by messages kept whole across reads "
                + "(client and backend messages larger than 64 kB).");
        e.sample("pgrouter_buffered_bytes", stats.bufferedBytes());
        e.family("pgrouter_max_buffered_bytes", GAUGE, "max_buffered: the budget of pgrouter_buffered_bytes; "
                + "a message that would exceed it ends its session with 53200.");
        e.sample("pgrouter_max_buffered_bytes", stats.maxBuffered());
        traffic(e, stats, pools);

        List<PoolStats> sorted = pools.stream().sorted(POOL_ORDER).toList();
        e.family("pgrouter_pool_active_connections", GAUGE,
                "Connections of the pool lent to a session, or being opened for one.");
        for (PoolStats p : sorted) {
            e.sample("pgrouter_pool_active_connections", p.active(), poolLabels(p));
        }
        e.family("pgrouter_pool_idle_connections", GAUGE, "Connections of the pool waiting in a worker's idle cache.");
        for (PoolStats p : sorted) {
            e.sample("pgrouter_pool_idle_connections", p.idle(), poolLabels(p));
        }
        e.family("pgrouter_pool_waiting_clients", GAUGE, "Clients waiting for a connection of the pool.");
        for (PoolStats p : sorted) {
            e.sample("pgrouter_pool_waiting_clients", p.waiting(), poolLabels(p));
        }
        e.family("pgrouter_pool_longest_wait_seconds", GAUGE,
                "How long the longest-waiting client of the pool has waited; 0 with none waiting.");
        for (PoolStats p : sorted) {
            e.sample("pgrouter_pool_longest_wait_seconds", p.longestWait(), poolLabels(p));
        }
        return e.text();
    }

    /** Who the clients are waiting for, who failed to log in, and how long statements take. */
    private static void traffic(Exposition e, RouterStats stats, List<PoolStats> pools) {
        long waiting = pools.stream().mapToLong(PoolStats::waiting).sum();
        e.family("pgrouter_clients_active", GAUGE, "Client connections not waiting for a server connection "
                + "(PgBouncer's cl_active: with a server connection, or idle needing none).");
        e.sample("pgrouter_clients_active", Math.max(0, stats.clients() - waiting));
        e.family("pgrouter_clients_waiting", GAUGE, "Clients waiting for a server connection, all pools together "
                + "(PgBouncer's cl_waiting).");
        e.sample("pgrouter_clients_waiting", waiting);

        e.family("pgrouter_auth_failures_total", COUNTER, "Logins pgrouter refused since it started, by reason: "
                + "hba (no rule lets the client in), password (wrong password), unknown_user (not in the authdb), "
                + "timeout (authentication_timeout passed).");
        java.util.Map<String, Long> failures = new java.util.TreeMap<>(stats.authFailures());
        for (String reason : AUTH_FAILURE_REASONS) {
            failures.putIfAbsent(reason, 0L);
        }
        failures.forEach((reason, count) -> e.sample("pgrouter_auth_failures_total", count, "reason", reason));

        java.util.Map<String, Long> events = stats.pipelineEvents();
        if (!events.isEmpty()) {
            e.family("pgrouter_pipeline_events_total", COUNTER, "Events the pipeline counts since pgrouter started, "
                    + "by name (readsplit: sessions_moved to a new primary, sessions_ended_by_failover).");
            events.forEach((event, count) -> e.sample("pgrouter_pipeline_events_total", count, "event", event));
        }

        e.family("pgrouter_statement_duration_seconds", "histogram", "Time from a client's request (Query, Sync, "
                + "FunctionCall) to the ReadyForQuery that answers it, through the pipeline, since pgrouter started.");
        stats.statementLatency().ifPresent(l -> {
            double[] bounds = l.upperBounds();
            long[] counts = l.counts();
            long cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i];
                String le = i < bounds.length ? java.math.BigDecimal.valueOf(bounds[i]).toPlainString() : "+Inf";
                e.sample("pgrouter_statement_duration_seconds_bucket", cumulative, "pipeline", l.pipeline(), "le", le);
            }
            e.sample("pgrouter_statement_duration_seconds_sum", Double.toString(l.sumSeconds()), "pipeline",
                    l.pipeline());
            e.sample("pgrouter_statement_duration_seconds_count", cumulative, "pipeline", l.pipeline());
        });
    }

    /**
     * Every kind for every configured backend (0 until used), so that a rate by kind exists from
     * the start; backends removed by a reload keep their counts until pgrouter restarts.
     */
    private static void statementsRouted(Exposition e, ClusterSnapshot snapshot, Map<Endpoint, Map<Routed, Long>> routed) {
        e.family("pgrouter_statements_routed_total", COUNTER, "Client requests the pipeline routed to the backend "
                + "since pgrouter started, by kind: read (classified read-only: on a replica, or on the primary when "
                + "no replica would do), write (the primary's own), retried (refused by a replica, re-run on the primary).");
        Map<String, Map<Routed, Long>> all = new java.util.LinkedHashMap<>();
        for (BackendState b : snapshot.backends()) {
            all.put(label(b), routed.getOrDefault(b.address(), Map.of()));
        }
        routed.forEach((address, kinds) -> all.putIfAbsent(address.toString(), kinds));
        all.forEach((address, kinds) -> {
            for (Routed kind : Routed.values()) {
                e.sample("pgrouter_statements_routed_total", kinds.getOrDefault(kind, 0L), BACKEND, address,
                        "kind", kind.label());
            }
        });
    }

    private static String label(BackendState b) {
        return b.address().toString();
    }

    private static String[] poolLabels(PoolStats p) {
        return new String[] {BACKEND, p.address().toString(), "database", p.database(), "user", p.user()};
    }

    private static String word(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }
}
