package io.pgrouter.core.server;

import io.pgrouter.core.protocol.SqlState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every client session open now, and what the operator asked of them as a whole: a pause (new
 * requests are held where a session reads its next one with nothing open) or an end at the
 * next transaction boundary (a smart shutdown). Read by the sessions on their event loops
 * without locks; changed and queried by the admin channel and the supervisor from their threads,
 * which run their questions on each session's own loop.
 */
public final class Sessions {
    /** PostgreSQL's message for a connection ended by a shutdown. */
    static final String TERMINATING = "terminating connection due to administrator command";

    private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();
    private final Set<ClientConnection> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger heldCount = new AtomicInteger();
    private volatile Instant pausedSince;
    private volatile boolean endAtBoundary;
    private volatile Instant drainingSince;

    void opened(ClientConnection session) {
        open.add(session);
    }

    void closed(ClientConnection session) {
        open.remove(session);
        unheld(session);
    }

    /** Sessions open now, logging in or logged in. */
    public int count() {
        return open.size();
    }

    /** A drain began: shown on the monitor and in the metrics until pgrouter exits. */
    public void draining() {
        if (drainingSince == null) {
            drainingSince = Instant.now();
        }
    }

    public Optional<Instant> drainingSince() {
        return Optional.ofNullable(drainingSince);
    }

    // ---- pause ----------------------------------------------------------------------------------

    /** From now on, a session that reads a request with nothing open holds it until {@link #resume}. */
    public void pause() {
        if (pausedSince == null) {
            pausedSince = Instant.now();
        }
    }

    /** Every held session hands what it holds to its pipeline, in order, and reads its client again. */
    public void resume() {
        pausedSince = null;
        for (ClientConnection session : held) {
            session.eventLoop().execute(session::releaseHeld);
        }
    }

    public Optional<Instant> pausedSince() {
        return Optional.ofNullable(pausedSince);
    }

    boolean paused() {
        return pausedSince != null;
    }

    /** Sessions holding a request now. */
    public int heldCount() {
        return heldCount.get();
    }

    /**
     * A session holds a request. Registered before the pause is checked again, so that a
     * resume either finds it in the set or is seen by it: none is left holding.
     */
    void holding(ClientConnection session) {
        if (held.add(session)) {
            heldCount.incrementAndGet();
        }
        if (!paused()) {
            session.eventLoop().execute(session::releaseHeld);
        }
    }

    void unheld(ClientConnection session) {
        if (held.remove(session)) {
            heldCount.decrementAndGet();
        }
    }

    /**
     * How many sessions are busy now: a transaction open, a request in flight, or a connection
     * being opened for one. Asked on each session's loop; a session that closes meanwhile counts
     * as quiet.
     */
    public CompletableFuture<Integer> busyCount() {
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        for (ClientConnection session : open) {
            CompletableFuture<Boolean> busy = new CompletableFuture<>();
            try {
                session.eventLoop().execute(() -> busy.complete(session.isBusy()));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                busy.complete(false);
            }
            answers.add(busy);
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> (int) answers.stream().filter(CompletableFuture::join).count());
    }

    // ---- shutdown -------------------------------------------------------------------------------

    /**
     * Smart shutdown: each session ends (FATAL 57P01) as soon as it is quiet, here for those that
     * are and where each reads its next request for the others. Call again to end those that
     * became quiet without sending anything.
     */
    public void endQuietSessions() {
        endAtBoundary = true;
        for (ClientConnection session : open) {
            session.eventLoop().execute(() -> {
                if (!session.isBusy()) {
                    session.fail(SqlState.ADMIN_SHUTDOWN, TERMINATING);
                }
            });
        }
    }

    boolean endAtBoundary() {
        return endAtBoundary;
    }

    /**
     * Fast shutdown: every session ends now with FATAL 57P01; closing its backend connections
     * makes PostgreSQL roll back what they had open. Waits (bounded) until the errors are written.
     */
    public void terminateAll(long timeoutMillis) {
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (ClientConnection session : open) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            session.channelClosed().addListener(f -> done.complete(null));
            session.eventLoop().execute(() -> session.fail(SqlState.ADMIN_SHUTDOWN, TERMINATING));
            ended.add(done);
        }
        try {
            CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // closed anyway when the event loops stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
