package io.pgrouter.spi.monitor;

import java.util.Arrays;

/**
 * How long statements took through the pipeline, as a histogram: from the client message that
 * starts a request (Query, Sync ending an extended-protocol group, FunctionCall) to the
 * ReadyForQuery that ends it, as pgrouter sees them (so including the wait for a backend).
 *
 * @param pipeline the pipeline's name
 * @param upperBounds each bucket's upper bound in seconds, ascending; a last bucket without bound
 *     (+Inf) follows them in {@code counts}
 * @param counts statements per bucket (not cumulative), one more than {@code upperBounds}
 * @param sumSeconds the total of every statement's duration
 */
public record StatementLatency(String pipeline, double[] upperBounds, long[] counts, double sumSeconds) {
    public StatementLatency {
        upperBounds = upperBounds.clone();
        counts = counts.clone();
        if (counts.length != upperBounds.length + 1) {
            throw new IllegalArgumentException("one count per bound and one for +Inf");
        }
    }

    @Override
    public double[] upperBounds() {
        return upperBounds.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Statements counted in all. */
    public long count() {
        return Arrays.stream(counts).sum();
    }
}
