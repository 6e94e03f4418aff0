package io.pgrouter.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or a deadline passes: the e2e tests' only way of waiting. */
final class Await {
    private Await() {
    }

    /** Polls every 50 ms; exceptions from the condition count as "not yet". */
    static void until(Duration timeout, String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(50); // poll interval inside the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("never happened within " + timeout + ": " + what
                + (last == null ? "" : " (last error: " + last + ")"), last);
    }
}
