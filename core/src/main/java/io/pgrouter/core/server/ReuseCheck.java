package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.RequestTracker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code server_check_query} on a connection taken out of its pool, before any session gets it:
 * the query sent, its timeout, and who waits for the verdict. No session owns the connection
 * meanwhile, so its answers end here. Runs on the connection's event loop.
 */
final class ReuseCheck {
    private final BackendConnection backend;
    /** The connection's: the check's answers are told from the rest by it. */
    private final RequestTracker activity;
    private CompletableFuture<Boolean> verdict;
    private ScheduledFuture<?> timer;
    private long errorsBefore;

    ReuseCheck(BackendConnection backend, RequestTracker activity) {
        this.backend = backend;
        this.activity = activity;
    }

    /** Sends {@code query}: the future says whether it was answered without an error within {@code timeout}. */
    CompletableFuture<Boolean> start(String query, Duration timeout) {
        verdict = new CompletableFuture<>();
        CompletableFuture<Boolean> result = verdict;
        errorsBefore = activity.internalErrors();
        Channel channel = backend.channel();
        backend.sendInternal(FrontendMessages.query(channel.alloc(), query));
        backend.flushIfDirty();
        timer = channel.eventLoop().schedule(() -> done(false), timeout.toNanos(), TimeUnit.NANOSECONDS);
        return result;
    }

    /** Whether a check waits for its answer. */
    boolean running() {
        return verdict != null;
    }

    /** What the connection said while checked; takes the reference. */
    void answers(ByteBuf messages) {
        try {
            activity.received(messages, (from, to) -> {
                // a ParameterStatus or NOTICE that came with the check: nobody to tell
            });
        } finally {
            messages.release();
        }
        if (!activity.internalPending()) {
            done(activity.internalErrors() == errorsBefore);
        }
    }

    /** The verdict, if a check waits for one; a connection that failed is closed. */
    void done(boolean alive) {
        CompletableFuture<Boolean> result = verdict;
        if (result == null) {
            return;
        }
        verdict = null;
        timer.cancel(false);
        if (!alive) {
            backend.close();
        }
        result.complete(alive);
    }
}
