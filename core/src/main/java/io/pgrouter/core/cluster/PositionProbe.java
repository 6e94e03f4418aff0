package io.pgrouter.core.cluster;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.health.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads each OK replica's replayed WAL position every {@code replay_check} (milliseconds apart,
 * where the watcher's rounds are seconds apart) through the health check's
 * {@link HealthCheck#replayPosition}, and publishes it in the {@link ReplayPositionCache}: how
 * soon after a write a session's reads may go back to a replica depends on it. That pace is kept
 * only while reads ask for positions (sessions that wrote, under read-your-writes); otherwise the
 * probe reads once per {@code idleInterval} (the health round), which keeps the monitors' figures
 * fresh without a stream of queries that nothing uses: at the default 20 ms, two replicas cost a
 * router that only reads or only writes a hundred queries a second, and the replicas as much. One query per
 * replica at a time: a replica that is slow to answer is not asked again until it has answered,
 * and the others are not held up. A failed read forgets the replica's position (the watcher
 * judges its health; read-your-writes must not trust an old number).
 */
public final class PositionProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PositionProbe.class);

    private final Map<Endpoint, BackendConfig> backends;
    private final Duration interval;
    private final long idleIntervalNanos;
    private final Duration timeout;
    private final HealthCheck healthCheck;
    private final ClusterView cluster;
    private final ReplayPositionCache positions;
    private final Map<Endpoint, Future<?>> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon("pgrouter-positions"));
    private final ExecutorService queries = Executors.newCachedThreadPool(daemon("pgrouter-position-"));
    private volatile boolean unsupportedLogged;
    /** When the last round of reads started; only the tick thread touches it. */
    private long lastRound;

    /**
     * @param interval time between reads of one replica's position while reads wait on them;
     *     zero turns the probe off
     * @param idleInterval time between reads while no read asks for a position
     * @param timeout bound on one read (the health block's)
     */
    public PositionProbe(List<BackendConfig> backends, Duration interval, Duration idleInterval, Duration timeout,
            HealthCheck healthCheck, ClusterView cluster, ReplayPositionCache positions) {
        this.backends = new ConcurrentHashMap<>();
        for (BackendConfig b : backends) {
            this.backends.put(b.address(), b);
        }
        this.interval = interval;
        this.idleIntervalNanos = Math.max(idleInterval.toNanos(), interval.toNanos());
        this.timeout = timeout;
        this.healthCheck = healthCheck;
        this.cluster = cluster;
        this.positions = positions;
    }

    public void start() {
        if (interval.isZero()) {
            log.info("replay positions are not probed (replay_check 0)");
            return;
        }
        lastRound = System.nanoTime() - idleIntervalNanos; // the first tick reads at once
        ticks.scheduleWithFixedDelay(this::tick, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        if (!positions.takeAsked() && now - lastRound < idleIntervalNanos) {
            return;
        }
        lastRound = now;
        for (BackendState b : cluster.current().backends()) {
            BackendConfig config = backends.get(b.address());
            if (config == null || !b.isOk() || b.role() != Role.REPLICA) {
                continue;
            }
            Future<?> previous = running.get(b.address());
            if (previous != null && !previous.isDone()) {
                continue;
            }
            try {
                running.put(b.address(), queries.submit(() -> read(config)));
            } catch (RejectedExecutionException closed) {
                return;
            }
        }
    }

    private void read(BackendConfig b) {
        try {
            OptionalLong p = healthCheck.replayPosition(b.address(), b.tls(), b.ca(), timeout);
            if (p.isPresent()) {
                positions.probed(b.address(), p.getAsLong());
            } else if (!unsupportedLogged) {
                unsupportedLogged = true;
                log.info("the health check reports no replay positions: read-your-writes asks replicas itself");
            }
        } catch (Exception e) {
            positions.forget(b.address());
            log.debug("replay position of {} unknown: {}", b.address(), e.toString());
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        queries.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.endsWith("-") ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
