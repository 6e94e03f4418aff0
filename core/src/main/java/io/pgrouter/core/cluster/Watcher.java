package io.pgrouter.core.cluster;

import io.pgrouter.core.config.BackendConfig;
import io.pgrouter.core.config.HealthConfig;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologySource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * the original pgrouter's WATCHER thread: every {@code check} interval it probes all backends at once and
 * publishes one new snapshot to the {@link ClusterState}.
 *
 * <p>Each probe runs on a thread of its own, so a hung backend never queues the others' probes,
 * and a round waits for answers at most {@code timeout}: a backend that has not answered by then
 * has timed out. A probe that is still running when the next round starts is not doubled up
 * (that would pile connections onto a struggling server): the new round awaits it again, up to
 * its own deadline. The round then hands all outcomes to {@link ClusterDecider} and publishes the result,
 * logging changes only.
 *
 * <p>A timeout is weaker evidence than an error: a busy but healthy server can miss one round
 * (a checkpoint, a CPU spike on a shared host), and failing the primary on that would fail every
 * write until the next round. So a backend that was OK keeps its last state through its first
 * timed-out round and is FAILED on the second in a row; an error (connection refused, a failed
 * login, a failed query) fails it at once.
 *
 * <p>With a {@link TopologySource} (an HA manager such as Patroni), each round also fetches the
 * topology, alongside the probes and within the same timeout; the source can ask for a round at
 * once when the leader changes. The topology wins the roles ({@link TopologyOverlay}); a failed
 * fetch keeps the last topology for the source's grace ({@link TopologyTracker}).
 *
 * <p>The watcher owns the health check and the topology source and closes them on
 * {@link #close()}. The cluster state must have been built from the same backends.
 */
public final class Watcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watcher.class);

    private final List<BackendConfig> backends;
    private final Duration interval;
    private final Duration timeout;
    private final HealthCheck healthCheck;
    private final ClusterState state;
    private final ExecutorService probeThreads = Executors.newCachedThreadPool(daemonThreads("pgrouter-probe-"));
    private final ScheduledExecutorService roundThread =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("pgrouter-watcher-"));
    private final CountDownLatch firstRound = new CountDownLatch(1);
    /** The last probe started per backend; guarded by {@code this} (rounds are serialised). */
    private final Map<Endpoint, Running> lastProbe = new HashMap<>();
    /** Backends whose last round timed out while they were OK; guarded by {@code this}. */
    private final Set<Endpoint> graced = new HashSet<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Optional<TopologySource> topologySource;
    private final Optional<TopologyTracker> topologyTracker;
    /** The last topology fetch started; guarded by {@code this}. */
    private Future<Topology> lastFetch;
    /** A round asked for by the topology source is queued and not yet started. */
    private final AtomicBoolean roundRequested = new AtomicBoolean();
    private volatile boolean closed;
    private final Consumer<Topology> fetched;

    private record Running(Future<Probe> future, long startedNanos) {
    }

    public Watcher(List<BackendConfig> backends, HealthConfig health, HealthCheck healthCheck, ClusterState state) {
        this(backends, health, healthCheck, Optional.empty(), state);
    }

    /** A watcher that also follows an HA manager's topology, when {@code topology} is present. */
    public Watcher(List<BackendConfig> backends, HealthConfig health, HealthCheck healthCheck,
            Optional<TopologySource> topology, ClusterState state) {
        this(backends, health, healthCheck, topology, state, t -> { });
    }

    /**
     * A watcher that also hands every topology it fetched to {@code fetched}, on the watcher
     * thread after the round is published: where the members come from (backend discovery).
     * {@code fetched} must return at once.
     */
    public Watcher(List<BackendConfig> backends, HealthConfig health, HealthCheck healthCheck,
            Optional<TopologySource> topology, ClusterState state, Consumer<Topology> fetched) {
        this.fetched = Objects.requireNonNull(fetched, "fetched");
        this.topologySource = Objects.requireNonNull(topology, "topology");
        this.topologyTracker = topology.map(t -> new TopologyTracker(health.topology().orElse("topology"), t.grace()));
        this.backends = List.copyOf(backends);
        this.interval = requirePositive(health.interval(), "check");
        this.timeout = requirePositive(health.timeout(), "timeout");
        this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** Starts rounds now and then every {@code check} interval, on the watcher thread. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("watcher already started");
        }
        log.info("watching {} backend(s) every {}ms, probe timeout {}ms", backends.size(),
                interval.toMillis(), timeout.toMillis());
        roundThread.scheduleAtFixedRate(this::scheduledRound, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        topologySource.ifPresent(t -> t.watch(this::requestRound));
    }

    /**
     * Takes over the last topology {@code previous} fetched, and when, so that its grace goes on
     * across a reload. Call before {@link #start}, after closing {@code previous}.
     */
    public void takeOverTopology(Watcher previous) {
        if (topologyTracker.isEmpty() || previous.topologyTracker.isEmpty()) {
            return;
        }
        synchronized (previous) { // waits for a round of its still under way
            synchronized (this) {
                topologyTracker.get().carryOver(previous.topologyTracker.get());
            }
        }
    }

    /**
     * Runs a round as soon as the watcher thread is free: the topology source saw the leader move.
     * Requests arriving while one is queued are folded into it.
     */
    private void requestRound() {
        if (closed || !roundRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            roundThread.execute(() -> {
                roundRequested.set(false);
                scheduledRound();
            });
        } catch (RejectedExecutionException e) {
            roundRequested.set(false); // closed meanwhile
        }
    }

    /**
     * Waits until the first round has been published, so that the server does not accept
     * clients before it knows where the primary is.
     *
     * @return false when the wait timed out (or was interrupted)
     */
    public boolean awaitFirstRound(Duration maxWait) {
        try {
            return firstRound.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs one round on the calling thread and returns the snapshot it published. Rounds never
     * overlap: this waits for a scheduled round in progress. Meant for tests and for a prompt
     * re-check after a reload.
     */
    public synchronized ClusterSnapshot runRound() {
        if (closed) {
            return state.current();
        }
        long roundStart = System.nanoTime();
        long deadline = roundStart + timeout.toNanos();
        List<ProbeOutcome> outcomes = new ArrayList<>();
        Future<Topology> fetch;
        try {
            fetch = startFetch();
        } catch (RejectedExecutionException e) {
            return state.current(); // closed during this round: nothing to publish
        }
        Map<BackendConfig, Running> probing = new LinkedHashMap<>();
        for (BackendConfig b : backends) {
            Running previous = lastProbe.get(b.address());
            if (previous != null && !previous.future().isDone()) {
                // Still running since an earlier round: not doubled up, but awaited again.
                probing.put(b, previous);
                continue;
            }
            Future<Probe> f;
            try {
                f = probeThreads.submit(() -> healthCheck.probe(b.address(), b.tls(), b.ca(), timeout));
            } catch (RejectedExecutionException e) {
                return state.current(); // closed during this round: nothing to publish
            }
            Running started = new Running(f, System.nanoTime());
            lastProbe.put(b.address(), started);
            probing.put(b, started);
        }
        for (Map.Entry<BackendConfig, Running> e : probing.entrySet()) {
            Endpoint address = e.getKey().address();
            Running running = e.getValue();
            ProbeOutcome outcome = await(address, running.future(), deadline);
            if (outcome != null) {
                graced.remove(address);
                outcomes.add(outcome);
            } else if (running.startedNanos() < roundStart) {
                long hungMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - running.startedNanos());
                timedOut(address, "previous probe has not returned after " + hungMillis + "ms", outcomes);
            } else {
                timedOut(address, "no answer within " + timeout.toMillis() + "ms", outcomes);
            }
        }
        Optional<TopologyVerdict> topology = topologyTracker.map(tracker -> awaitTopology(tracker, fetch, deadline));
        ClusterDecider.Round round = ClusterDecider.decide(state.current(), outcomes, topology, Instant.now());
        if (!closed) {
            try {
                state.publish(round.snapshot());
            } catch (IllegalArgumentException superseded) {
                // A reload published a newer snapshot meanwhile; the next round starts from it.
                log.debug("round result dropped: {}", superseded.getMessage());
                return state.current();
            }
            for (ClusterEvent event : round.events()) {
                log.atLevel(event.level()).log(event.message());
            }
            firstRound.countDown();
            topology.filter(v -> v.status().freshness() == TopologyStatus.Freshness.CURRENT)
                    .flatMap(TopologyVerdict::topology).ifPresent(fetched);
        }
        return round.snapshot();
    }

    /** Starts this round's topology fetch, or returns the one still running; null without a source. */
    private Future<Topology> startFetch() {
        if (topologySource.isEmpty()) {
            return null;
        }
        if (lastFetch == null || lastFetch.isDone()) {
            TopologySource source = topologySource.get();
            lastFetch = probeThreads.submit(() -> source.fetch(timeout));
        }
        return lastFetch;
    }

    private TopologyVerdict awaitTopology(TopologyTracker tracker, Future<Topology> fetch, long deadlineNanos) {
        try {
            Topology t = fetch.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return t == null ? tracker.failed("the topology source returned nothing", Instant.now())
                    : tracker.succeeded(t, Instant.now());
        } catch (TimeoutException e) {
            return tracker.failed("no answer within " + timeout.toMillis() + "ms", Instant.now());
        } catch (ExecutionException e) {
            return tracker.failed(describe(e.getCause()), Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tracker.failed("watcher interrupted", Instant.now());
        }
    }

    /**
     * A probe that did not answer in time: an OK backend's first such round leaves it as it was
     * (no outcome), a second one in a row fails it.
     */
    private void timedOut(Endpoint address, String why, List<ProbeOutcome> outcomes) {
        boolean wasOk = state.current().backend(address).map(b -> b.isOk()).orElse(false);
        if (wasOk && graced.add(address)) {
            log.info("backend {}: {}; it keeps its state for one more round", address, why);
            return;
        }
        outcomes.add(ProbeOutcome.failed(address, why, Instant.now()));
    }

    /** The probe's answer or error, or null when it did not finish by the deadline. */
    private ProbeOutcome await(Endpoint address, Future<Probe> future, long deadlineNanos) {
        try {
            Probe p = future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (p == null) {
                return ProbeOutcome.failed(address, "health check returned no answer", Instant.now());
            }
            return ProbeOutcome.answered(address, p, Instant.now());
        } catch (TimeoutException e) {
            // Not cancelled: the probe keeps its thread until it returns, and counts as in flight.
            return null;
        } catch (ExecutionException e) {
            return ProbeOutcome.failed(address, describe(e.getCause()), Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeOutcome.failed(address, "watcher interrupted", Instant.now());
        }
    }

    private void scheduledRound() {
        try {
            runRound();
        } catch (RuntimeException e) {
            // Never let one bad round end the schedule: the next one may well succeed.
            log.error("health check round failed", e);
        }
    }

    /** Stops the rounds, abandons probes in flight and closes the health check. */
    @Override
    public void close() {
        closed = true;
        roundThread.shutdownNow();
        probeThreads.shutdownNow();
        try {
            healthCheck.close();
        } catch (RuntimeException e) {
            log.warn("closing the health check failed", e);
        }
        topologySource.ifPresent(t -> {
            try {
                t.close();
            } catch (RuntimeException e) {
                log.warn("closing the topology source failed", e);
            }
        });
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private static Duration requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("health " + name + " must be positive, found " + d);
        }
        return d;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
