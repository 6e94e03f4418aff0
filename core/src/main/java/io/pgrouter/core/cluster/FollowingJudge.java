package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.Following;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.spi.health.WalReceiver;
import java.util.Optional;

/**
 * Decides whether an OK replica provably follows the current primary ({@link Following}), for
 * {@link ClusterDecider}. Lag alone cannot tell: after a promotion the new primary's WAL continues
 * from the fork point, so a replica left behind on the old primary's WAL looks nearly caught up
 * for as long as writes stay light. The rules, first match wins:
 * <ol>
 *   <li>No primary: nothing to compare with. A streaming replica is STREAMING; any other keeps
 *       its previous verdict (UNKNOWN if it had none), as the lag does, so that reads keep going
 *       to the replicas that followed the primary until it was lost.</li>
 *   <li>Both timelines known and different: OTHER_TIMELINE (it streams from a node that is not
 *       the primary's history).</li>
 *   <li>Replay paused and lag past the threshold: REPLAY_PAUSED (it will not catch up by itself).</li>
 *   <li>The health check does not report the WAL receiver: UNKNOWN, trusted as before.</li>
 *   <li>The WAL receiver streams: STREAMING.</li>
 *   <li>Otherwise it must show it replays the primary's WAL (from an archive): within the lag
 *       threshold, and either at the primary's position, or having moved since the previous
 *       probe while the primary moved. A replica that stands still while the primary moves is
 *       ORPHANED. When the primary did not move there is no new evidence: a previous ARCHIVE
 *       verdict stands, anything else stays ORPHANED (not proven).</li>
 * </ol>
 */
final class FollowingJudge {
    private FollowingJudge() {
    }

    /**
     * The primary of this round as the judge needs it.
     *
     * @param probe its answer this round
     * @param before its state in the previous snapshot, to see whether its WAL moved
     */
    record Primary(Probe probe, Optional<BackendState> before) {
    }

    /**
     * @param replica this round's answer of an OK replica
     * @param lagBytes its lag as {@link ClusterDecider} measured it this round
     * @param lagThreshold its lag threshold
     * @param before its state in the previous snapshot
     * @param primary the primary of this round, empty when there is none
     */
    static Following judge(Probe replica, long lagBytes, long lagThreshold, Optional<BackendState> before,
            Optional<Primary> primary) {
        Optional<BackendState> wasOkReplica = before.filter(b -> b.isOk() && b.role() == Role.REPLICA);
        if (primary.isEmpty()) {
            return replica.walReceiver() == WalReceiver.STREAMING
                    ? Following.STREAMING : wasOkReplica.map(BackendState::following).orElse(Following.UNKNOWN);
        }
        Probe p = primary.get().probe();
        if (replica.timeline().isPresent() && p.timeline().isPresent()
                && replica.timeline().getAsLong() != p.timeline().getAsLong()) {
            return Following.OTHER_TIMELINE;
        }
        if (replica.replayPaused() && lagBytes > lagThreshold) {
            return Following.REPLAY_PAUSED;
        }
        return switch (replica.walReceiver()) {
            case UNKNOWN -> Following.UNKNOWN;
            case STREAMING -> Following.STREAMING;
            case NONE, NOT_STREAMING -> fromArchive(replica, lagBytes, lagThreshold, wasOkReplica, primary.get());
        };
    }

    private static Following fromArchive(Probe replica, long lagBytes, long lagThreshold,
            Optional<BackendState> wasOkReplica, Primary primary) {
        if (lagBytes > lagThreshold) {
            return Following.ORPHANED;
        }
        long primaryNow = primary.probe().walPosition();
        if (replica.walPosition() >= primaryNow) {
            return Following.ARCHIVE; // at the primary's position (probes are not simultaneous: or past it)
        }
        Optional<Long> primaryBefore = primary.before().filter(BackendState::isOk).map(BackendState::walPosition);
        if (primaryBefore.isPresent() && primaryNow > primaryBefore.get()) {
            boolean replayMoved = wasOkReplica.map(b -> replica.walPosition() > b.walPosition()).orElse(false);
            return replayMoved ? Following.ARCHIVE : Following.ORPHANED;
        }
        return wasOkReplica.map(BackendState::following).filter(f -> f == Following.ARCHIVE)
                .orElse(Following.ORPHANED);
    }
}
