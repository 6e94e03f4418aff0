package io.pgrouter.e2e;

import java.util.stream.IntStream;

/**
 * The sizes of the load tests: short in the suite (CI time is limited), or the full size of the
 * pool's acceptance runs with {@code -Dpgrouter.fullsize=true} (bench/README.md has the command).
 * The same tests assert the same things either way; only durations, client counts and the
 * largest values change.
 */
final class FullSize {
    static final boolean ON = Boolean.getBoolean("pgrouter.fullsize");

    private FullSize() {
    }

    /** {@code suite} in the suite, {@code full} in a full-size run. */
    static int pick(int suite, int full) {
        return ON ? full : suite;
    }

    /** Large-value sizes in MB: those of the suite, and with them in a full-size run those of the full run only. */
    static IntStream megabytes(int[] suite, int... fullOnly) {
        return ON ? IntStream.concat(IntStream.of(suite), IntStream.of(fullOnly)) : IntStream.of(suite);
    }
}
