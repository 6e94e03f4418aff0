package io.pgrouter.spi.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend as the watcher last saw it: its configuration (address, TLS mode, weight, lag
 * threshold) and its observed health. Immutable; a new snapshot replaces it whole.
 *
 * @param address where the backend listens
 * @param tls how to talk TLS to it
 * @param weight relative share of reads among eligible replicas (0 = never chosen for reads)
 * @param lagThreshold bytes of replay lag above which a replica serves no reads
 * @param role what it last claimed to be
 * @param status health of the last probe
 * @param lagBytes replay lag in bytes: primary's current WAL position minus this replica's
 *     replayed position; 0 on the primary and when unknown
 * @param replayDelay {@code now() - pg_last_xact_replay_timestamp()} on a replica, for display;
 *     empty on the primary or when unknown
 * @param checkedAt when the last probe finished
 * @param error why the last probe failed, empty when it did not
 */
public record BackendState(
        Endpoint address,
        TlsMode tls,
        int weight,
        long lagThreshold,
        Role role,
        Status status,
        long lagBytes,
        Optional<Duration> replayDelay,
        Instant checkedAt,
        Optional<String> error) {

    public BackendState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(replayDelay, "replayDelay");
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(error, "error");
    }

    /** A backend nobody has probed yet. */
    public static BackendState starting(Endpoint address, TlsMode tls, int weight, long lagThreshold) {
        return new BackendState(address, tls, weight, lagThreshold, Role.UNKNOWN, Status.STARTING, 0,
                Optional.empty(), Instant.EPOCH, Optional.empty());
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /** An OK replica whose replay lag is past its threshold: up, but serves no reads. */
    public boolean isLagging() {
        return status == Status.OK && role == Role.REPLICA && lagBytes > lagThreshold;
    }

    /** May serve reads: an OK replica within its lag threshold and with a positive weight. */
    public boolean isEligibleForReads() {
        return status == Status.OK && role == Role.REPLICA && !isLagging() && weight > 0;
    }
}
