package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyConfig;
import io.pgrouter.pipeline.readsplit.consistency.ReadConsistency;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a session's read runs, once {@link ReadsplitSession} has decided it is one: on a replica
 * that has replayed what the session must see ({@link ReadConsistency#required}), chosen by
 * {@link ReplicaChoice} when the session has none, waited for up to {@code consistency_wait};
 * else on the primary.
 */
final class ReplicaReads {
    private static final Logger log = LoggerFactory.getLogger(ReplicaReads.class);
    /** How long a group using the unnamed statement a replica holds waits for it to replay the session's writes. */
    private static final Duration UNNAMED_STATEMENT_WAIT = Duration.ofSeconds(1);

    private final Session session;
    private final PrimaryLink primaryLink;
    private final ReplicaLink replicaLink;
    private final ReadConsistency consistency;
    private final ConsistencyConfig consistencyConfig;
    private final ReplicaLoad load;

    ReplicaReads(Session session, PrimaryLink primaryLink, ReplicaLink replicaLink, ReadConsistency consistency,
            ConsistencyConfig consistencyConfig, ReplicaLoad load) {
        this.session = session;
        this.primaryLink = primaryLink;
        this.replicaLink = replicaLink;
        this.consistency = consistency;
        this.consistencyConfig = consistencyConfig;
        this.load = load;
    }

    /**
     * Runs a read (a Query, or an extended group up to its Sync) on a replica when one may take
     * it; {@code parsesUnnamed}: the group parses the unnamed statement, which then lives where
     * the group runs; {@code namedReads}: the named statements it binds, prepared lazily there.
     */
    void read(ByteBuf request, boolean parsesUnnamed, List<String> namedReads) {
        leaveUnfitReplica();
        ClusterSnapshot cluster = session.cluster();
        long required = consistency.required(primaryPosition(cluster));
        if (required == ReadConsistency.PRIMARY_ONLY) {
            readOnPrimary(request, parsesUnnamed, consistency.whyPrimaryOnly());
            return;
        }
        long deadline = System.nanoTime() + consistency.maxWait().toNanos();
        Consumer<ByteBuf> onPrimary = r -> readOnPrimary(r, parsesUnnamed, "read-your-writes: "
                + "no replica has replayed " + Lsn.format(required));
        if (!replicaLink.connected()) {
            Optional<BackendState> choice = ReplicaChoice.forRead(cluster, load::sessions,
                    ThreadLocalRandom.current()::nextInt, replicaLink::recentlyFailed, consistencyConfig.replicas()::replayed,
                    required);
            if (choice.isEmpty()) {
                readOnPrimary(request, parsesUnnamed, "no eligible replica");
                return;
            }
            replicaLink.logIn(choice.get().address(), request, parsesUnnamed, namedReads, required, deadline, onPrimary);
            return;
        }
        replicaLink.runWhenReplayed(required, deadline, request, parsesUnnamed, namedReads, onPrimary);
    }

    /**
     * Runs a group that uses the unnamed statement an earlier group parsed on the replica that
     * holds it, the only place it exists: after waiting for the replica to replay what the session
     * must see (at least a second), and there whatever it has replayed by then.
     */
    void readWhereTheUnnamedIs(ByteBuf request, boolean parsesUnnamed, List<String> namedReads) {
        long needed = consistency.required(primaryPosition(session.cluster()));
        long required = needed == ReadConsistency.PRIMARY_ONLY ? consistency.lastWrite() : needed;
        long wait = Math.max(consistency.maxWait().toNanos(), UNNAMED_STATEMENT_WAIT.toNanos());
        replicaLink.runWhenReplayed(required, System.nanoTime() + wait, request, parsesUnnamed, namedReads, r -> {
            log.debug("session {}: the unnamed statement lives on a replica that has not replayed {}; run there",
                    session.id(), Lsn.format(required));
            replicaLink.run(r, parsesUnnamed, namedReads);
        });
    }

    /** A read the primary runs; a group parsing the unnamed statement replaces it there. */
    void readOnPrimary(ByteBuf request, boolean parsesUnnamed, String why) {
        log.debug("session {}: primary <- read ({})", session.id(), why);
        if (parsesUnnamed) {
            replicaLink.forgetUnnamed();
        }
        primaryLink.sendRead(request, Routed.READ, false);
    }

    /**
     * Before a read goes to a replica: leaves the session's replica when it is no longer
     * eligible, or when it serves more than its share while another serves fewer sessions for
     * its weight (one recovered, or was added), so that the read chooses again and reads spread
     * back within a health interval.
     */
    void leaveUnfitReplica() {
        if (replicaLink.connected() && !ReplicaChoice.stillEligible(session.cluster(), replicaLink.backend().address())) {
            log.debug("session {}: replica {} is no longer eligible, leaving it", session.id(),
                    replicaLink.backend().address());
            replicaLink.close();
        } else if (replicaLink.connected() && !replicaLink.busy()
                && ReplicaChoice.overloaded(session.cluster(), replicaLink.backend().address(), load::sessions)) {
            log.debug("session {}: replica {} serves more than its share, choosing again", session.id(),
                    replicaLink.backend().address());
            replicaLink.leave();
        }
    }

    /** The latest position known written on the primary: the watcher's, or a later one a session learned. */
    private long primaryPosition(ClusterSnapshot cluster) {
        long watched = cluster.primary().map(BackendState::walPosition).orElse(0L);
        return Math.max(watched, consistencyConfig.latestWrite().get());
    }
}
