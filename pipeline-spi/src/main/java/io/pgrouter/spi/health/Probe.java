package io.pgrouter.spi.health;

import io.pgrouter.spi.cluster.Role;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one health probe learned.
 *
 * @param role PRIMARY or REPLICA
 * @param walPosition on the primary, its current WAL write position; on a replica, its
 *     last replayed position (what a read there can see), in bytes since the start of WAL
 * @param replayDelay on a replica, {@code now() - pg_last_xact_replay_timestamp()} when known
 */
public record Probe(Role role, long walPosition, Optional<Duration> replayDelay) {
    public Probe {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(replayDelay, "replayDelay");
        if (role == Role.UNKNOWN) {
            throw new IllegalArgumentException("a probe that answered knows the role");
        }
    }
}
