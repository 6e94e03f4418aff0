package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.health.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.event.Level;

/**
 * Turns one round of probe outcomes into the next cluster snapshot: statuses, roles, lag, which
 * node takes writes, and the changes worth logging. A pure function of the previous snapshot and
 * the outcomes, so that every rule here is unit-tested without a database.
 *
 * <p>The rules:
 * <ul>
 *   <li>A backend is OK when its probe answered, FAILED (role unknown, with the error) when it did
 *       not. A backend without an outcome this round keeps its previous state.</li>
 *   <li>Exactly one OK node claims primary: it is the primary.</li>
 *   <li>Several claim it (split brain, after rebouncer): the primary trusted in the
 *       previous snapshot stays the primary as long as it still claims the role, so writes never
 *       move to a second primary while the first is alive. With no such node, there is no primary
 *       until exactly one claimant remains: guessing could send writes to a fenced-off node.</li>
 *   <li>No claimant: no primary; reads still go to eligible replicas.</li>
 *   <li>Lag of an OK replica = primary's WAL position minus the replica's replayed position,
 *       never negative (the probes are not simultaneous). Without a primary there is nothing to
 *       measure against, so a replica keeps the lag last measured (0 if never measured): a replica
 *       that was lagging stays out of reads rather than looking caught up by accident.</li>
 *   <li>An OK replica serves reads only if it provably follows the primary: its WAL receiver
 *       streams on the primary's timeline, or (no receiver) it replays from an archive and keeps
 *       up; a replica whose replay is paused while the primary moved on past the lag threshold
 *       does not. Lag alone cannot tell, because after a promotion an orphaned replica's lag is
 *       measured against a WAL that continues from the fork point. The details are
 *       {@link FollowingJudge}'s. A replica that does not follow stays OK and REPLICA, marked
 *       with the reason ({@link BackendState#following()}).</li>
 *   <li>An OK replica whose replay delay is past its {@code max_replay_delay} (when set) serves
 *       no reads.</li>
 *   <li>Events: a backend's status or role changing; a replica starting or ending to lag, to be
 *       delayed past its limit, or to follow the primary (one WARN when it stops following or
 *       its reason changes, one INFO when it follows again); a split brain beginning, changing
 *       or ending; the primary changing.</li>
 * </ul>
 */
public final class ClusterDecider {
    private ClusterDecider() {
    }

    /**
     * One round's result.
     *
     * @param snapshot the snapshot to publish
     * @param events the changes since the previous snapshot, one log line each
     */
    public record Round(ClusterSnapshot snapshot, List<ClusterEvent> events) {
        public Round {
            events = List.copyOf(events);
        }
    }

    /**
     * Decides the next snapshot.
     *
     * @param previous the snapshot published last (its backends give the configuration)
     * @param outcomes this round's outcomes; backends missing here keep their previous state
     * @param now the publication time
     */
    public static Round decide(ClusterSnapshot previous, List<ProbeOutcome> outcomes, Instant now) {
        return decide(previous, outcomes, Optional.empty(), now);
    }

    /**
     * Decides the next snapshot, with an HA manager's topology when pgrouter follows one: then
     * the topology's leader is the primary and the topology wins every role
     * ({@link TopologyOverlay}); a split brain cannot arise from the probes.
     */
    static Round decide(ClusterSnapshot previous, List<ProbeOutcome> outcomes, Optional<TopologyVerdict> topology,
            Instant now) {
        Map<Endpoint, ProbeOutcome> byAddress = new HashMap<>();
        for (ProbeOutcome o : outcomes) {
            byAddress.put(o.address(), o);
        }
        List<BackendState> observed = new ArrayList<>();
        for (BackendState before : previous.backends()) {
            ProbeOutcome o = byAddress.get(before.address());
            observed.add(o == null ? before : observe(before, o));
        }

        boolean splitBrain;
        Optional<Endpoint> primary;
        if (topology.isPresent()) {
            observed = TopologyOverlay.apply(observed, topology.get());
            splitBrain = false;
            primary = TopologyOverlay.primary(observed, topology.get());
        } else {
            List<BackendState> claimants = claimants(observed);
            Optional<Endpoint> trusted = previous.primary().map(BackendState::address);
            splitBrain = claimants.size() > 1;
            if (claimants.size() == 1) {
                primary = Optional.of(claimants.get(0).address());
            } else if (splitBrain && trusted.isPresent() && addresses(claimants).contains(trusted.get())) {
                primary = trusted;
            } else {
                primary = Optional.empty();
            }
        }

        List<BackendState> backends = measured(observed, previous, primary, byAddress);
        Optional<BackendState> primaryState = primary.flatMap(
                p -> backends.stream().filter(b -> b.address().equals(p)).findFirst());
        ClusterSnapshot next = new ClusterSnapshot(backends, primaryState, splitBrain, previous.generation() + 1, now,
                topology.map(TopologyVerdict::status));
        List<ClusterEvent> events = new ArrayList<>(TopologyEvents.of(previous, next));
        events.addAll(events(previous, next));
        return new Round(next, events);
    }

    private static BackendState observe(BackendState before, ProbeOutcome o) {
        if (o.probe().isPresent()) {
            Probe p = o.probe().get();
            // Lag and whether it follows the primary are filled in once the primary is known.
            return new BackendState(before.address(), before.tls(), before.weight(), before.lagThreshold(),
                    before.maxReplayDelay(), p.role(), Status.OK, 0,
                    p.role() == Role.REPLICA ? p.replayDelay() : Optional.empty(), p.walPosition(),
                    Following.UNKNOWN, o.finishedAt(), Optional.empty(), before.ha());
        }
        return new BackendState(before.address(), before.tls(), before.weight(), before.lagThreshold(),
                before.maxReplayDelay(), Role.UNKNOWN, Status.FAILED, 0, Optional.empty(), 0, Following.UNKNOWN,
                o.finishedAt(), o.error(), before.ha());
    }

    /** Fills in each OK replica's lag and whether it follows the primary. */
    private static List<BackendState> measured(List<BackendState> observed, ClusterSnapshot previous,
            Optional<Endpoint> primary, Map<Endpoint, ProbeOutcome> outcomes) {
        Optional<FollowingJudge.Primary> primaryNow = primary.flatMap(p -> Optional.ofNullable(outcomes.get(p)))
                .flatMap(ProbeOutcome::probe)
                .map(probe -> new FollowingJudge.Primary(probe, previous.backend(primary.get())));
        List<BackendState> result = new ArrayList<>(observed.size());
        for (BackendState b : observed) {
            ProbeOutcome o = outcomes.get(b.address());
            if (o == null || !b.isOk() || b.role() != Role.REPLICA) {
                result.add(b);
                continue;
            }
            Probe replica = o.probe().orElseThrow();
            Optional<BackendState> before = previous.backend(b.address());
            long lag;
            if (primaryNow.isPresent()) {
                lag = Math.max(0, primaryNow.get().probe().walPosition() - replica.walPosition());
            } else {
                lag = before.filter(p -> p.isOk() && p.role() == Role.REPLICA).map(BackendState::lagBytes).orElse(0L);
            }
            Following following = FollowingJudge.judge(replica, lag, b.lagThreshold(), before, primaryNow);
            result.add(new BackendState(b.address(), b.tls(), b.weight(), b.lagThreshold(), b.maxReplayDelay(),
                    b.role(), b.status(), lag, b.replayDelay(), b.walPosition(), following, b.checkedAt(), b.error(),
                    b.ha()));
        }
        return result;
    }

    private static List<BackendState> claimants(List<BackendState> backends) {
        return backends.stream().filter(b -> b.isOk() && b.role() == Role.PRIMARY).toList();
    }

    private static Set<Endpoint> addresses(List<BackendState> backends) {
        return backends.stream().map(BackendState::address).collect(Collectors.toSet());
    }

    private static List<ClusterEvent> events(ClusterSnapshot before, ClusterSnapshot after) {
        List<ClusterEvent> events = new ArrayList<>();
        for (BackendState now : after.backends()) {
            before.backend(now.address()).ifPresent(was -> backendEvents(was, now, events));
        }
        splitBrainEvents(before, after, events);
        primaryEvents(before, after, events);
        return events;
    }

    private static void backendEvents(BackendState was, BackendState now, List<ClusterEvent> events) {
        if (was.status() != now.status() || (now.isOk() && was.role() != now.role())) {
            Level level = now.status() == Status.FAILED || (was.isOk() && now.isOk()) ? Level.WARN : Level.INFO;
            String reason = now.error().map(e -> ": " + e).orElse("");
            events.add(new ClusterEvent(level, "backend " + now.address() + " is now " + describe(now)
                    + " (was " + describe(was) + ")" + reason));
        }
        if (!was.isLagging() && now.isLagging()) {
            events.add(new ClusterEvent(Level.WARN, "replica " + now.address() + " lags " + now.lagBytes()
                    + " bytes, past its threshold of " + now.lagThreshold() + ": no reads until it catches up"));
        } else if (was.isLagging() && !now.isLagging() && now.isOk() && now.role() == Role.REPLICA) {
            events.add(new ClusterEvent(Level.INFO, "replica " + now.address() + " caught up (" + now.lagBytes()
                    + " bytes, threshold " + now.lagThreshold() + "): serving reads again"));
        }
        delayEvents(was, now, events);
        followingEvents(was, now, events);
    }

    private static void delayEvents(BackendState was, BackendState now, List<ClusterEvent> events) {
        if (!was.isDelayed() && now.isDelayed()) {
            events.add(new ClusterEvent(Level.WARN, "replica " + now.address() + " replays "
                    + millis(now.replayDelay()) + " behind, past its max_replay_delay of "
                    + now.maxReplayDelay().toMillis() + "ms: no reads until it catches up"));
        } else if (was.isDelayed() && !now.isDelayed() && now.isOk() && now.role() == Role.REPLICA) {
            events.add(new ClusterEvent(Level.INFO, "replica " + now.address() + " replays "
                    + millis(now.replayDelay()) + " behind, within its max_replay_delay of "
                    + now.maxReplayDelay().toMillis() + "ms: serving reads again"));
        }
    }

    /** One WARN when a replica stops following the primary (or why changes), one INFO when it follows again. */
    private static void followingEvents(BackendState was, BackendState now, List<ClusterEvent> events) {
        if (now.isNotFollowing() && (!was.isNotFollowing() || was.following() != now.following())) {
            events.add(new ClusterEvent(Level.WARN, "replica " + now.address() + " does not follow the primary ("
                    + now.following().description() + "): no reads until it does"));
        } else if (was.isNotFollowing() && !now.isNotFollowing() && now.isOk() && now.role() == Role.REPLICA) {
            events.add(new ClusterEvent(Level.INFO, "replica " + now.address() + " follows the primary again ("
                    + now.following().description() + "): serving reads again"));
        }
    }

    private static String millis(Optional<Duration> delay) {
        return delay.map(d -> d.toMillis() + "ms").orElse("an unknown time");
    }

    private static void splitBrainEvents(ClusterSnapshot before, ClusterSnapshot after, List<ClusterEvent> events) {
        Set<Endpoint> wasClaiming = addresses(claimants(before.backends()));
        Set<Endpoint> claiming = addresses(claimants(after.backends()));
        boolean changed = !wasClaiming.equals(claiming)
                || !before.primary().map(BackendState::address).equals(after.primary().map(BackendState::address));
        if (after.splitBrain() && (!before.splitBrain() || changed)) {
            String writes = after.primary()
                    .map(p -> "writes stay on " + p.address() + ", the primary trusted before")
                    .orElse("no primary was trusted before, so writes fail until exactly one remains");
            events.add(new ClusterEvent(Level.ERROR, "SPLIT BRAIN: " + list(after, claiming)
                    + " all claim to be primary; " + writes + ". Fence the other node(s)."));
        } else if (before.splitBrain() && !after.splitBrain()) {
            events.add(new ClusterEvent(Level.WARN, "split brain over: "
                    + (claiming.isEmpty() ? "no node claims primary" : list(after, claiming) + " alone claims primary")));
        }
    }

    private static void primaryEvents(ClusterSnapshot before, ClusterSnapshot after, List<ClusterEvent> events) {
        Optional<Endpoint> was = before.primary().map(BackendState::address);
        Optional<Endpoint> now = after.primary().map(BackendState::address);
        if (was.equals(now) || after.splitBrain()) {
            return; // a split brain's own event already says where writes go
        }
        String from = was.map(Endpoint::toString).orElse("none");
        if (now.isPresent()) {
            Level level = was.isPresent() ? Level.WARN : Level.INFO;
            events.add(new ClusterEvent(level, "primary is now " + now.get() + " (was " + from + ")"));
        } else {
            String until = after.topology().isPresent()
                    ? after.topology().get().isLost() ? after.noPrimaryReason()
                            : "writes fail until " + after.topology().get().source() + " names a leader pgrouter can reach"
                    : "writes fail until a node claims the role";
            events.add(new ClusterEvent(Level.WARN, "no primary (was " + from + "): " + until
                    + "; reads go to eligible replicas"));
        }
    }

    private static String describe(BackendState b) {
        return b.isOk() ? "OK " + (b.role() == Role.PRIMARY ? "primary" : "replica") : b.status().name();
    }

    /** Addresses in configuration order, so the same split brain always logs the same way. */
    private static String list(ClusterSnapshot snapshot, Set<Endpoint> which) {
        return snapshot.backends().stream().map(BackendState::address).filter(which::contains)
                .map(Endpoint::toString).collect(Collectors.joining(", "));
    }
}
