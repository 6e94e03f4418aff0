package io.pgrouter.spi.testkit;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * The order in which core calls a pipeline, kept by {@link FakeSession}: one callback at a time,
 * never one inside another; what a callback sets off (a {@code backendClosed}, a task on the
 * session's executor) runs after it returns; nothing reaches the pipeline after its
 * {@code stop}. A test that breaks this order fails at once, where it broke it.
 */
final class CallbackOrder {
    private final ArrayDeque<Runnable> later = new ArrayDeque<>();
    private boolean delivering;
    private boolean stopped;

    /** Runs one callback into the pipeline and returns what it returned. */
    <T> T get(Supplier<T> callback) {
        if (stopped) {
            throw new AssertionError("the session is over: nothing more reaches the pipeline");
        }
        if (delivering) {
            throw new AssertionError("a callback inside a callback: the fake delivers one at a time");
        }
        delivering = true;
        try {
            return callback.get();
        } finally {
            delivering = false;
        }
    }

    /** Runs one callback into the pipeline. */
    void run(Runnable callback) {
        get(() -> {
            callback.run();
            return null;
        });
    }

    /** Keeps a task for after the callback at hand; false when none runs, so that nothing would run it. */
    boolean later(Runnable task) {
        later.add(task);
        return delivering;
    }

    /** Runs the tasks kept, oldest first, each as a callback of its own, until none is left or the session stopped. */
    void runLater() {
        while (!later.isEmpty() && !stopped) {
            run(later.poll());
        }
    }

    /** The pipeline's last callback: nothing runs after it, kept or not (core calls no backendClosed after stop). */
    void stop(Runnable stop) {
        run(stop);
        stopped = true;
        later.clear();
    }

    boolean stopped() {
        return stopped;
    }
}
