package io.pgrouter.spi.pipeline;

import java.util.Locale;

/**
 * What kind of client request a pipeline routed to a backend, for the per-backend counts of
 * {@link io.pgrouter.spi.monitor.RouterStats#routed()} ({@link Session#routed}).
 */
public enum Routed {
    /** A statement the pipeline classified as read-only: run on a replica, or on the primary when no replica would do. */
    READ,
    /** Anything the pipeline sends the primary as the primary's own: writes, transaction blocks, pinned sessions. */
    WRITE,
    /** A read a replica refused (or left unanswered) that the pipeline re-ran on the primary. */
    RETRIED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Its name in metrics: {@code read}, {@code write}, {@code retried}. */
    public String label() {
        return label;
    }
}
