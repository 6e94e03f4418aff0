package io.pgrouter.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Polls a condition until it holds or a deadline passes: how every test in this project waits for
 * something that happens in another process or thread (never a fixed sleep).
 */
public final class Await {
    /** Often enough that a test does not lose time, rarely enough not to load what it polls. */
    private static final Duration DEFAULT_POLL = Duration.ofMillis(50);

    private Await() {
    }

    /** Polls every 50 ms; an exception from the condition counts as "not yet" and is reported if time runs out. */
    public static void until(Duration timeout, String what, Callable<Boolean> condition) {
        until(timeout, DEFAULT_POLL, what, condition);
    }

    /** {@link #until(Duration, String, Callable)} with its own poll interval, for conditions that change quickly. */
    public static void until(Duration timeout, Duration poll, String what, Callable<Boolean> condition) {
        value(timeout, poll, what, condition, Boolean.TRUE::equals);
    }

    /**
     * Polls {@code probe} until its value satisfies {@code done}, and returns that value; an
     * exception from the probe counts as "not yet". The failure names the last value seen.
     */
    public static <T> T value(Duration timeout, Duration poll, String what, Callable<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception lastError = null;
        T last = null;
        while (true) {
            try {
                last = probe.call();
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(poll.toMillis()); // the poll interval, inside the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("never happened within " + timeout.toMillis() + "ms: " + what
                + (last == null || last instanceof Boolean ? "" : " (last seen: " + last + ")")
                + (lastError == null ? "" : " (last error: " + lastError + ")"), lastError);
    }
}
