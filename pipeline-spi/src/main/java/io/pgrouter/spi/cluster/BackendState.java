package io.pgrouter.spi.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend as the watcher last saw it: its configuration (address, TLS mode, weight, lag
 * thresholds) and its observed health. Immutable; a new snapshot replaces it whole.
 *
 * @param address where the backend listens
 * @param tls how to talk TLS to it
 * @param weight relative share of reads among eligible replicas (0 = never chosen for reads)
 * @param lagThreshold bytes of replay lag above which a replica serves no reads
 * @param maxReplayDelay replay delay above which a replica serves no reads; zero for no limit
 * @param role what it last claimed to be
 * @param status health of the last probe
 * @param lagBytes replay lag in bytes: primary's current WAL position minus this replica's
 *     replayed position; 0 on the primary and when unknown
 * @param replayDelay {@code now() - pg_last_xact_replay_timestamp()} on a replica; empty on the
 *     primary or when unknown
 * @param walPosition the WAL position its last answering probe reported (write position on a
 *     primary, replayed position on a replica), 0 when it did not answer; the next round compares
 *     with it to see whether replay moves
 * @param following whether an OK replica follows the current primary; {@link Following#UNKNOWN}
 *     for anything else
 * @param checkedAt when the last probe finished
 * @param error why the last probe failed, empty when it did not
 * @param ha what the HA manager says of it, when pgrouter follows one (see
 *     {@link io.pgrouter.spi.health.TopologySource}); empty otherwise
 */
public record BackendState(
        Endpoint address,
        TlsMode tls,
        int weight,
        long lagThreshold,
        Duration maxReplayDelay,
        Role role,
        Status status,
        long lagBytes,
        Optional<Duration> replayDelay,
        long walPosition,
        Following following,
        Instant checkedAt,
        Optional<String> error,
        Optional<HaMember> ha) {

    public BackendState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(maxReplayDelay, "maxReplayDelay");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(replayDelay, "replayDelay");
        Objects.requireNonNull(following, "following");
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(ha, "ha");
    }

    /** A backend without an HA manager's view of it. */
    public BackendState(Endpoint address, TlsMode tls, int weight, long lagThreshold, Duration maxReplayDelay,
            Role role, Status status, long lagBytes, Optional<Duration> replayDelay, long walPosition,
            Following following, Instant checkedAt, Optional<String> error) {
        this(address, tls, weight, lagThreshold, maxReplayDelay, role, status, lagBytes, replayDelay, walPosition,
                following, checkedAt, error, Optional.empty());
    }

    /** The same backend with the HA manager's view replaced. */
    public BackendState withHa(Optional<HaMember> view) {
        return new BackendState(address, tls, weight, lagThreshold, maxReplayDelay, role, status, lagBytes,
                replayDelay, walPosition, following, checkedAt, error, view);
    }

    /** The HA manager keeps it from reads (noloadbalance, not running, not listed). */
    public boolean isHeldByHa() {
        return isOkReplica() && ha.filter(m -> !m.servesReads()).isPresent();
    }

    /**
     * A backend as described before pgrouter judged replication links: no replay-delay limit,
     * no WAL position remembered, {@link Following#UNKNOWN} (counted as following).
     */
    public BackendState(Endpoint address, TlsMode tls, int weight, long lagThreshold, Role role, Status status,
            long lagBytes, Optional<Duration> replayDelay, Instant checkedAt, Optional<String> error) {
        this(address, tls, weight, lagThreshold, Duration.ZERO, role, status, lagBytes, replayDelay, 0,
                Following.UNKNOWN, checkedAt, error);
    }

    /** A backend nobody has probed yet, without a replay-delay limit. */
    public static BackendState starting(Endpoint address, TlsMode tls, int weight, long lagThreshold) {
        return starting(address, tls, weight, lagThreshold, Duration.ZERO);
    }

    /** A backend nobody has probed yet. */
    public static BackendState starting(Endpoint address, TlsMode tls, int weight, long lagThreshold,
            Duration maxReplayDelay) {
        return new BackendState(address, tls, weight, lagThreshold, maxReplayDelay, Role.UNKNOWN, Status.STARTING,
                0, Optional.empty(), 0, Following.UNKNOWN, Instant.EPOCH, Optional.empty());
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    private boolean isOkReplica() {
        return status == Status.OK && role == Role.REPLICA;
    }

    /** An OK replica whose replay lag is past its threshold: up, but serves no reads. */
    public boolean isLagging() {
        return isOkReplica() && lagBytes > lagThreshold;
    }

    /** An OK replica whose replay delay is past its {@code max_replay_delay}: up, but serves no reads. */
    public boolean isDelayed() {
        return isOkReplica() && !maxReplayDelay.isZero()
                && replayDelay.filter(d -> d.compareTo(maxReplayDelay) > 0).isPresent();
    }

    /** An OK replica that answers but does not provably follow the primary (see {@link Following}). */
    public boolean isNotFollowing() {
        return isOkReplica() && !following.followsPrimary();
    }

    /**
     * May serve reads: an OK replica that follows the primary, within its lag threshold and
     * replay-delay limit, with a positive weight, that the HA manager (if any) lets serve reads.
     */
    public boolean isEligibleForReads() {
        return isOkReplica() && !isLagging() && !isDelayed() && !isNotFollowing() && !isHeldByHa() && weight > 0;
    }
}
