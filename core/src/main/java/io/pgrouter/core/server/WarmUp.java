package io.pgrouter.core.server;

import io.pgrouter.core.auth.AuthDb;
import io.pgrouter.core.auth.HbaRules;
import io.pgrouter.core.auth.Md5Password;
import io.pgrouter.core.cluster.ClusterState;
import io.pgrouter.core.cluster.ReplayPositionCache;
import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.pool.PoolConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgrouter's self-warm-up at start, before the client port opens: pgbench-like sessions through a
 * pgrouter of its own on loopback (the configured pipeline, core's codecs, logins by trust, md5 and
 * SCRAM and relayed ones, pooled backend connections) to {@link WarmUpBackend}s standing in for a
 * primary and a replica, so that the JIT has compiled the data path and the login path before the
 * first client comes: a JVM interprets a method until it has run a few hundred times, and a
 * freshly started pgrouter serves its first seconds slower than later. Off by default
 * ({@code warm_up}): measured, it did not make those seconds cheaper (bench/RESULTS.md).
 *
 * <p>Touches no configured backend and shares nothing with the real server but the JIT's work:
 * its own event loop, pools, counters, cluster view and pipeline instance, all closed at the end.
 * Bounded by a wall-clock budget; any failure only ends it early, with a warning.
 */
public final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    /** Clients at once: enough to keep the event loop busy while each waits for its answer. */
    private static final int CLIENTS = 4;

    private WarmUp() {
    }

    /** What a warm-up did, for the log line and for tests. */
    public record Outcome(int sessions, int transactions, int errors, Duration took, Optional<String> failure) {
    }

    /**
     * Runs a warm-up.
     *
     * @param pipelines a new pipeline of the configured kind over the context given (closed here)
     * @param pipelineName the configured pipeline's name
     * @param budget how long its sessions run
     */
    public static Outcome run(Function<PipelineContext, Pipeline> pipelines, String pipelineName, Duration budget) {
        long started = System.nanoTime();
        List<WarmUpClient> clients = new ArrayList<>();
        Optional<String> failure = Optional.empty();
        long ready = 0;
        try (WarmUpBackend primary = new WarmUpBackend(); WarmUpBackend replica = new WarmUpBackend()) {
            ClusterState cluster = cluster(primary.port(), replica.port());
            ReplayPositionCache positions = new ReplayPositionCache();
            Pipeline pipeline = pipelines.apply(new PipelineContext() {
                @Override
                public ClusterView cluster() {
                    return cluster;
                }

                @Override
                public ReplayPositions positions() {
                    return positions;
                }
            });
            ProxyServer server = new ProxyServer(new ServerSettings(new Endpoint("127.0.0.1", primary.port()), 1,
                    1 << 20, Duration.ofSeconds(2), 1000, Duration.ofSeconds(5), 64L << 20), PoolConfig.DEFAULT,
                    pipeline, pipelineName, cluster, new PipelineEvents());
            try {
                Security own = ownLogins();
                server.security(own);
                InetSocketAddress address = server.startQuietly(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ready = System.nanoTime();
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(new WarmUpClient(address, i));
                }
                // Three quarters of the time logins by pgrouter, the rest relayed to the primary
                // as without hba (ended at once by a pipeline that refuses those).
                drive(clients, ready + budget.toNanos() * 3 / 4, false);
                server.security(Security.NONE);
                drive(clients, ready + budget.toNanos(), true);
                failure = clients.stream().map(WarmUpClient::failure).filter(java.util.Objects::nonNull).findFirst();
            } finally {
                server.close();
                pipeline.close();
            }
        } catch (Exception | LinkageError e) {
            failure = Optional.of(e.toString());
        }
        Outcome outcome = new Outcome(clients.stream().mapToInt(WarmUpClient::sessions).sum(),
                clients.stream().mapToInt(WarmUpClient::transactions).sum(),
                clients.stream().mapToInt(WarmUpClient::errors).sum(), Duration.ofNanos(System.nanoTime() - started),
                failure);
        if (failure.isPresent() || outcome.errors() > 0) {
            log.warn("warm-up ended early after {} sessions ({} errors): {}; pgrouter starts anyway", outcome.sessions(),
                    outcome.errors(), failure.orElseGet(() -> clients.stream().map(WarmUpClient::firstError)
                            .filter(java.util.Objects::nonNull).findFirst().orElse("")));
        } else {
            log.info("warmed up in {} ms ({} ms to set up): {} sessions, {} transactions", outcome.took().toMillis(),
                    ready == 0 ? 0 : (ready - started) / 1_000_000, outcome.sessions(), outcome.transactions());
        }
        return outcome;
    }

    /** Runs every client until the deadline, each on a thread of its own, as pgbench's clients. */
    private static void drive(List<WarmUpClient> clients, long deadline, boolean relayed) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (WarmUpClient c : clients) {
            Thread t = new Thread(() -> c.drive(deadline, relayed), "pgrouter-warm-up-client");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** A primary and a replica, both up and following, as the watcher would publish them. */
    private static ClusterState cluster(int primaryPort, int replicaPort) {
        BackendConfig primary = backend(primaryPort);
        BackendConfig replica = backend(replicaPort);
        ClusterState cluster = new ClusterState(List.of(primary, replica));
        BackendState p = up(primary, Role.PRIMARY);
        cluster.publish(new ClusterSnapshot(List.of(p, up(replica, Role.REPLICA)), Optional.of(p), false, 1,
                Instant.now()));
        return cluster;
    }

    private static BackendConfig backend(int port) {
        return new BackendConfig(new Endpoint("127.0.0.1", port), TlsMode.OFF, 16L << 20, 100, "warm-up");
    }

    private static BackendState up(BackendConfig b, Role role) {
        return new BackendState(b.address(), b.tls(), b.weight(), b.lagThreshold(), Duration.ZERO, role, Status.OK, 0,
                Optional.empty(), 0, Following.STREAMING, Instant.now(), Optional.empty());
    }

    /**
     * pgrouter's own logins: trust for pgbench, md5 and SCRAM (against stored hashes, as an authdb
     * usually holds them) for the two others.
     */
    private static Security ownLogins() {
        String hba = "host all " + WarmUpClient.TRUST_USER + " 127.0.0.1/32 trust\n"
                + "host all " + WarmUpClient.MD5_USER + " 127.0.0.1/32 md5\n"
                + "host all " + WarmUpClient.SCRAM_USER + " 127.0.0.1/32 scram-sha-256\n";
        String authdb = "\"" + WarmUpClient.MD5_USER + "\" \"" + Md5Password.hash(WarmUpClient.MD5_USER, WarmUpClient.PASSWORD) + "\"\n"
                + "\"" + WarmUpClient.SCRAM_USER + "\" \"" + WarmUpClient.SCRAM_VERIFIER + "\"\n";
        return new Security(Optional.of(HbaRules.parse(hba, "warm-up hba")), AuthDb.parse(authdb, "warm-up authdb"),
                Optional.empty(), Map.of());
    }
}
