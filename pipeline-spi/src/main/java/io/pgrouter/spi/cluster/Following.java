package io.pgrouter.spi.cluster;

import java.util.Locale;

/**
 * What an OK replica follows: the current primary or not, as the watcher judged it. Only a
 * replica that provably follows the primary serves reads: one that lost its upstream (its
 * primary stopped and another node was promoted) still answers, and its lag measured against
 * the new primary's WAL position can look small, but what it serves never changes again.
 */
public enum Following {
    /**
     * Not a replica, not OK, or not judged: the health check does not report the replication
     * link (older plugins), or there is no primary to measure against yet. Counts as following,
     * which is how pgrouter behaved before it checked the link.
     */
    UNKNOWN(true, "link not judged"),
    /** Its WAL receiver streams, on the primary's timeline. */
    STREAMING(true, "streaming"),
    /** No streaming receiver, but it replays (from an archive) and keeps up with the primary. */
    ARCHIVE(true, "replaying from an archive, keeping up"),
    /** No streaming receiver and its replay does not move while the primary's WAL does. */
    ORPHANED(false, "orphaned: no WAL receiver streams and its replay does not follow the primary"),
    /** It receives WAL on a timeline other than the primary's: it follows some other node. */
    OTHER_TIMELINE(false, "on another timeline than the primary: it follows some other node"),
    /** Its replay is paused while the primary moved on past the lag threshold. */
    REPLAY_PAUSED(false, "WAL replay is paused and the primary moved on past the lag threshold");

    private final boolean followsPrimary;
    private final String description;

    Following(boolean followsPrimary, String description) {
        this.followsPrimary = followsPrimary;
        this.description = description;
    }

    /** Whether a replica with this link may serve reads (other conditions permitting). */
    public boolean followsPrimary() {
        return followsPrimary;
    }

    /** One phrase for logs and the cli. */
    public String description() {
        return description;
    }

    /** The word the monitor prints: the name in lower case, dashes for underscores ({@code other-timeline}). */
    public String monitorName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
