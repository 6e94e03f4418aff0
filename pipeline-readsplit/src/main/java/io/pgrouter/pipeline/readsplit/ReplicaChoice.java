package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/** Which replica may serve a session's read now. Pure functions of the cluster snapshot. */
final class ReplicaChoice {
    private ReplicaChoice() {
    }

    /**
     * Picks the eligible replica with the fewest sessions for its weight (sessions / weight,
     * counting the session that is choosing), leaving out those {@code skip} names; ties are
     * broken at random by weight. Remade whenever a session has no replica, so a replica that
     * recovers or is added takes sessions until its share matches its weight.
     *
     * @param load the sessions each replica serves now
     * @param random given a bound, returns a number in [0, bound)
     */
    static Optional<BackendState> leastLoaded(ClusterSnapshot snapshot, ToIntFunction<Endpoint> load,
            IntUnaryOperator random, Predicate<Endpoint> skip) {
        List<BackendState> best = new ArrayList<>();
        double bestShare = Double.MAX_VALUE;
        for (BackendState b : snapshot.eligibleReplicas()) {
            if (skip.test(b.address())) {
                continue;
            }
            double share = (load.applyAsInt(b.address()) + 1) / (double) b.weight();
            if (share < bestShare - 1e-9) {
                bestShare = share;
                best.clear();
                best.add(b);
            } else if (Math.abs(share - bestShare) <= 1e-9) {
                best.add(b);
            }
        }
        if (best.size() <= 1) {
            return best.stream().findFirst();
        }
        return pick(best, random);
    }

    /**
     * Whether a session on {@code current} should leave it for a less loaded replica: it would be
     * better off there even after moving (its own session leaves one and joins the other), so
     * moves stop once shares are even and sessions do not flap between equal replicas.
     */
    static boolean overloaded(ClusterSnapshot snapshot, Endpoint current, ToIntFunction<Endpoint> load) {
        // Loops over the snapshot's list rather than streams or eligibleReplicas(): asked between
        // every two reads of a session, it should allocate nothing.
        int weight = 0;
        for (BackendState b : snapshot.backends()) {
            if (b.address().equals(current)) {
                weight = b.weight();
                break;
            }
        }
        if (weight <= 0) {
            return false;
        }
        double mine = load.applyAsInt(current) / (double) weight;
        for (BackendState b : snapshot.backends()) {
            if (b.isEligibleForReads() && !b.address().equals(current)
                    && (load.applyAsInt(b.address()) + 1) / (double) b.weight() < mine - 1e-9) {
                return true;
            }
        }
        return false;
    }

    /** At random by weight among replicas of positive weight (eligible ones have one). */
    private static Optional<BackendState> pick(List<BackendState> eligible, IntUnaryOperator random) {
        long total = 0;
        for (BackendState b : eligible) {
            total += b.weight();
        }
        int ticket = random.applyAsInt((int) Math.min(Integer.MAX_VALUE, total));
        for (BackendState b : eligible) {
            ticket -= b.weight();
            if (ticket < 0) {
                return Optional.of(b);
            }
        }
        return Optional.of(eligible.get(eligible.size() - 1));
    }

    /** The replica is still one that may serve reads. */
    static boolean stillEligible(ClusterSnapshot snapshot, Endpoint replica) {
        return snapshot.isEligibleForReads(replica);
    }

    /**
     * The replica a session without one logs into for a read that must see WAL position
     * {@code required}: the least loaded of those known to have replayed it, else the least
     * loaded of all (which the session then asks); empty when none is eligible.
     *
     * @param replayed how far each replica is known to have replayed
     */
    static Optional<BackendState> forRead(ClusterSnapshot snapshot, ToIntFunction<Endpoint> load, IntUnaryOperator random,
            Predicate<Endpoint> skip, java.util.function.ToLongFunction<Endpoint> replayed, long required) {
        return leastLoaded(snapshot, load, random, r -> skip.test(r) || !hasReplayed(replayed.applyAsLong(r), required))
                .or(() -> leastLoaded(snapshot, load, random, skip));
    }

    /** Read-your-writes by WAL position: a replica that replayed {@code replayed} may serve a read that must see {@code required}. */
    static boolean hasReplayed(long replayed, long required) {
        return replayed >= required;
    }
}
