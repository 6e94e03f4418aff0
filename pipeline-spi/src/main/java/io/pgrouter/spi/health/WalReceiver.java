package io.pgrouter.spi.health;

/**
 * What a health probe saw of a server's WAL receiver ({@code pg_stat_wal_receiver}): whether a
 * replica is streaming from an upstream right now. The decider trusts a streaming replica to
 * follow; one without a streaming receiver has to prove it keeps up some other way (archive).
 */
public enum WalReceiver {
    /**
     * The probe does not tell: a health check written before this existed, or a health user
     * not allowed to see the receiver's details. Trusted as before: the replica counts as following.
     */
    UNKNOWN,
    /** No WAL receiver runs: a primary, or a replica restoring from an archive or cut off from its upstream. */
    NONE,
    /** A WAL receiver runs and streams ({@code status = 'streaming'}). */
    STREAMING,
    /** A WAL receiver runs but does not stream (starting, waiting, restarting, stopping). */
    NOT_STREAMING
}
