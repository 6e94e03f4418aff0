package io.pgrouter.monitor.text;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.monitor.RouterStats;
import io.pgrouter.spi.pipeline.Routed;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the monitor output. The first lines are exactly the original pgrouter's format, byte for
 * byte:
 * <pre>
 * backends 3/5
 * workers 64
 * clients 32
 * connections 28
 * 10.0.0.3:6432 master OK 0
 * 10.0.0.1:6432 slave OK 200
 * 10.0.0.4:6432 slave FAILED
 * 10.0.0.5:6432 slave STARTING
 * </pre>
 * pgrouter's extras follow the backend lines, each on a line of its own that starts with a
 * keyword containing no colon (so it cannot be mistaken for a {@code host:port} backend line):
 * <pre>
 * generation 42
 * primary 10.0.0.3:6432            (or: primary none)
 * split-brain no                   (or: split-brain yes 10.0.0.3:6432 10.0.0.9:6432)
 * paused 2024-05-01T12:00:00.123Z 3   (only while paused: since when, sessions holding a request)
 * draining 2024-05-01T12:00:00.123Z 7 (only while draining: since when, sessions still open)
 * buffered 1048576 536870912       (bytes held by messages kept whole across reads, max_buffered)
 * lagging 10.0.0.2:6432 900 800    (one per lagging replica: lag, threshold)
 * not-following 10.0.0.6:6432 orphaned   (one per OK replica that does not follow the primary:
 *                                         orphaned, other-timeline or replay-paused)
 * delayed 10.0.0.7:6432 45000 30000      (one per replica past its max_replay_delay: delay, limit, ms)
 * replay-delay 10.0.0.1:6432 1250  (one per replica with a known delay, milliseconds)
 * replayed 10.0.0.1:6432 16/B374D848    (one per OK replica whose replayed WAL position the
 *                                       position probe knows, refreshed every replay_check)
 * requests 10.0.0.1:6432 1234      (one per backend: statements and groups sessions sent it)
 * routed 10.0.0.1:6432 1200 30 4   (one per backend used: requests routed there as reads, writes,
 *                                  retries of a replica's refusal)
 * topology patroni current 120 10000      (when following an HA manager: current, stale or lost;
 *                                         ms since its last answer, or never; the grace in ms)
 * topology-error etcd unreachable: ...   (why its last fetch failed, to the end of the line)
 * member 10.0.0.1:6432 n2 replica running noloadbalance   (per backend: what the HA manager says)
 * no-reads 10.0.0.1:6432 noloadbalance   (per OK replica the HA manager keeps from reads)
 * disagree 10.0.0.3:6432 the health check saw a primary, patroni says replica
 * error 10.0.0.4:6432 connection refused   (one per FAILED backend, to the end of the line)
 * pool 10.0.0.3:6432 app alice 3 2 1 250   (one per server connection pool: database, user,
 *                                           active, idle, waiting clients, longest wait in ms)
 * </pre>
 * Pool lines come last, sorted by backend, database and user so that the output is stable; the
 * names are percent-encoded ({@link MonitorNames}) because PostgreSQL allows any character in
 * them, and the line must still split on single spaces.
 *
 * <p>A replica that answers but serves no reads because it does not follow the primary or is
 * delayed past its limit keeps its original-format {@code slave OK LAG} line (it is up); the
 * {@code not-following} and {@code delayed} lines say why it gets no reads.
 *
 * <p>Extra fields on the backend lines were rejected: a parser of the original format reading a FAILED line's fourth
 * field as its lag would misread them. Lines after the last backend line are where a parser
 * that reads the original pgrouter's example stops finding backends.
 */
final class MonitorText {
    /** Stable output: the same pools print in the same order whatever order core lists them in. */
    private static final Comparator<PoolStats> POOL_ORDER = Comparator
            .comparing((PoolStats p) -> p.address().host())
            .thenComparingInt(p -> p.address().port())
            .thenComparing(PoolStats::database)
            .thenComparing(PoolStats::user);

    private MonitorText() {
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats) {
        return render(snapshot, stats, List.of());
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats, List<PoolStats> pools) {
        return render(snapshot, stats, pools, ReplayPositions.NONE);
    }

    static String render(ClusterSnapshot snapshot, RouterStats stats, List<PoolStats> pools, ReplayPositions positions) {
        StringBuilder out = new StringBuilder(256 + 64 * snapshot.backends().size() + 64 * pools.size());
        out.append("backends ").append(snapshot.okCount()).append('/').append(snapshot.backends().size()).append('\n');
        out.append("workers ").append(stats.workers()).append('\n');
        out.append("clients ").append(stats.clients()).append('\n');
        out.append("connections ").append(stats.connections()).append('\n');
        for (BackendState b : snapshot.backends()) {
            out.append(b.address()).append(' ').append(b.role().monitorName()).append(' ').append(b.status().name());
            if (b.status() == Status.OK) {
                out.append(' ').append(b.role() == Role.PRIMARY ? 0 : b.lagBytes());
            }
            out.append('\n');
        }
        out.append("generation ").append(snapshot.generation()).append('\n');
        out.append("primary ").append(snapshot.primary().map(p -> p.address().toString()).orElse("none")).append('\n');
        out.append("split-brain ");
        if (snapshot.splitBrain()) {
            out.append("yes ").append(snapshot.backends().stream()
                    .filter(b -> b.isOk() && b.role() == Role.PRIMARY)
                    .map(b -> b.address().toString()).collect(Collectors.joining(" ")));
        } else {
            out.append("no");
        }
        out.append('\n');
        stats.pausedSince().ifPresent(since -> out.append("paused ").append(since).append(' ')
                .append(stats.heldSessions()).append('\n'));
        stats.drainingSince().ifPresent(since -> out.append("draining ").append(since).append(' ')
                .append(stats.sessions()).append('\n'));
        if (stats.maxBuffered() > 0) {
            out.append("buffered ").append(stats.bufferedBytes()).append(' ').append(stats.maxBuffered()).append('\n');
        }
        for (BackendState b : snapshot.backends()) {
            if (b.isLagging()) {
                out.append("lagging ").append(b.address()).append(' ').append(b.lagBytes())
                        .append(' ').append(b.lagThreshold()).append('\n');
            }
        }
        for (BackendState b : snapshot.backends()) {
            if (b.isNotFollowing()) {
                out.append("not-following ").append(b.address()).append(' ').append(b.following().monitorName())
                        .append('\n');
            }
        }
        for (BackendState b : snapshot.backends()) {
            if (b.isDelayed()) {
                out.append("delayed ").append(b.address()).append(' ')
                        .append(b.replayDelay().orElseThrow().toMillis()).append(' ')
                        .append(b.maxReplayDelay().toMillis()).append('\n');
            }
        }
        for (BackendState b : snapshot.backends()) {
            if (b.isOk()) {
                b.replayDelay().ifPresent(d -> out.append("replay-delay ").append(b.address()).append(' ')
                        .append(d.toMillis()).append('\n'));
            }
        }
        for (BackendState b : snapshot.backends()) {
            long replayed = b.isOk() && b.role() == Role.REPLICA ? positions.known(b.address()) : 0;
            if (replayed > 0) {
                out.append("replayed ").append(b.address()).append(' ').append(Lsn.format(replayed)).append('\n');
            }
        }
        java.util.Map<io.pgrouter.spi.cluster.Endpoint, Long> requests = stats.requests();
        for (BackendState b : snapshot.backends()) {
            out.append("requests ").append(b.address()).append(' ').append(requests.getOrDefault(b.address(), 0L))
                    .append('\n');
        }
        java.util.Map<io.pgrouter.spi.cluster.Endpoint, java.util.Map<Routed, Long>> routed = stats.routed();
        for (BackendState b : snapshot.backends()) {
            java.util.Map<Routed, Long> kinds = routed.get(b.address());
            if (kinds != null) {
                out.append("routed ").append(b.address());
                for (Routed kind : Routed.values()) {
                    out.append(' ').append(kinds.getOrDefault(kind, 0L));
                }
                out.append('\n');
            }
        }
        haLines(snapshot, out);
        for (BackendState b : snapshot.backends()) {
            if (b.status() == Status.FAILED) {
                b.error().ifPresent(e -> out.append("error ").append(b.address()).append(' ')
                        .append(oneLine(e)).append('\n'));
            }
        }
        for (PoolStats p : pools.stream().sorted(POOL_ORDER).toList()) {
            out.append("pool ").append(p.address()).append(' ').append(MonitorNames.encode(p.database()))
                    .append(' ').append(MonitorNames.encode(p.user())).append(' ').append(p.active())
                    .append(' ').append(p.idle()).append(' ').append(p.waiting())
                    .append(' ').append(p.longestWait().toMillis()).append('\n');
        }
        return out.toString();
    }

    /**
     * When pgrouter follows an HA manager: how current its topology is, what it says of each
     * backend, which backends it keeps from reads, and where the health check disagrees with it.
     */
    private static void haLines(ClusterSnapshot snapshot, StringBuilder out) {
        snapshot.topology().ifPresent(t -> {
            out.append("topology ").append(t.source()).append(' ').append(t.freshness().monitorName()).append(' ');
            if (t.lastSeen().equals(java.time.Instant.EPOCH)) {
                out.append("never");
            } else {
                out.append(Math.max(0, java.time.Duration.between(t.lastSeen(), java.time.Instant.now()).toMillis()));
            }
            out.append(' ').append(t.grace().toMillis()).append('\n');
            t.error().ifPresent(e -> out.append("topology-error ").append(oneLine(e)).append('\n'));
        });
        for (BackendState b : snapshot.backends()) {
            b.ha().ifPresent(m -> out.append("member ").append(b.address()).append(' ').append(m.name()).append(' ')
                    .append(m.role()).append(' ').append(m.state().replace(' ', '-'))
                    .append(m.noLoadBalance() ? " noloadbalance" : "").append('\n'));
        }
        for (BackendState b : snapshot.backends()) {
            if (b.isHeldByHa()) {
                out.append("no-reads ").append(b.address()).append(' ')
                        .append(b.ha().flatMap(m -> m.noReadsReason()).orElse("held").replace(' ', '-')).append('\n');
            }
        }
        for (BackendState b : snapshot.backends()) {
            b.ha().flatMap(m -> m.disagreement()).ifPresent(d -> out.append("disagree ").append(b.address()).append(' ')
                    .append(oneLine(d)).append('\n'));
        }
    }

    /** Error texts (pgjdbc's in particular) may span lines; the format is one item per line. */
    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return flat.isEmpty() ? "unknown error" : flat;
    }
}
