package io.pgrouter.spi.health;

import io.pgrouter.spi.cluster.Role;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one health probe learned.
 *
 * @param role PRIMARY or REPLICA
 * @param walPosition on the primary, its current WAL write position; on a replica, its
 *     last replayed position (what a read there can see), in bytes since the start of WAL
 * @param replayDelay on a replica, {@code now() - pg_last_xact_replay_timestamp()} when known
 * @param timeline on the primary, the timeline it writes; on a replica, the timeline its WAL
 *     receiver receives ({@code pg_stat_wal_receiver.received_tli}); empty when unknown (a
 *     replica without a receiver, or an older health check)
 * @param walReceiver on a replica, whether its WAL receiver streams; {@link WalReceiver#NONE}
 *     on a primary, {@link WalReceiver#UNKNOWN} when the check does not tell
 * @param replayPaused on a replica, whether WAL replay is paused ({@code pg_is_wal_replay_paused()});
 *     false when unknown
 */
public record Probe(Role role, long walPosition, Optional<Duration> replayDelay, OptionalLong timeline,
        WalReceiver walReceiver, boolean replayPaused) {
    public Probe {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(replayDelay, "replayDelay");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(walReceiver, "walReceiver");
        if (role == Role.UNKNOWN) {
            throw new IllegalArgumentException("a probe that answered knows the role");
        }
    }

    /**
     * The probe of a health check that reports no replication link: the replica is trusted to
     * follow the primary, as before this information existed, so existing plugins keep working
     * unchanged.
     */
    public Probe(Role role, long walPosition, Optional<Duration> replayDelay) {
        this(role, walPosition, replayDelay, OptionalLong.empty(), WalReceiver.UNKNOWN, false);
    }
}
