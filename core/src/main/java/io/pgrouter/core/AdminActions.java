package io.pgrouter.core;

import io.pgrouter.core.admin.AdminReply;
import io.pgrouter.core.admin.AdminRequest;
import io.pgrouter.core.admin.AdminServer;
import io.pgrouter.core.server.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each admin command does. A pause holds the new requests of quiet sessions and returns
 * once no session is busy; it is lifted by a resume or, at the latest, when its timeout passes
 * (automatically, and logged: a forgotten pause must not hold clients forever). Drains and
 * shutdowns are handed to the {@link Supervisor}.
 */
final class AdminActions implements AdminServer.Handler {
    private static final Logger log = LoggerFactory.getLogger(AdminActions.class);
    /** How often a pause asks whether sessions are still busy. */
    private static final long BUSY_POLL_MS = 20;

    /** What a reload did: errors (nothing changed) or notes (applied, with what needs a restart). */
    record Reloaded(List<String> errors, List<String> notes) {
    }

    private final Sessions sessions;
    private final Supplier<Reloaded> reload;
    private final Supervisor supervisor;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgrouter-pause-timer");
        t.setDaemon(true);
        return t;
    });
    /** Each pause's number: a timer or a waiting pause command knows whether its pause is still the current one. */
    private long pauseNumber;
    private ScheduledFuture<?> autoResume;

    AdminActions(Sessions sessions, Supplier<Reloaded> reload, Supervisor supervisor) {
        this.sessions = sessions;
        this.reload = reload;
        this.supervisor = supervisor;
    }

    @Override
    public AdminReply handle(AdminRequest request) {
        if (request instanceof AdminRequest.Reload) {
            Reloaded r = reload.get();
            return r.errors().isEmpty() ? new AdminReply(true, "configuration reloaded", r.notes())
                    : AdminReply.error("configuration rejected, nothing changed", r.errors());
        } else if (request instanceof AdminRequest.Pause p) {
            return pause(p.timeout());
        } else if (request instanceof AdminRequest.Resume) {
            return resume();
        } else if (request instanceof AdminRequest.Drain d) {
            supervisor.request(Supervisor.Stop.DRAIN, d.timeout());
            return AdminReply.ok("draining: no new clients; " + sessions.count() + " sessions open; pgrouter exits when "
                    + "the last ends" + d.timeout().map(t -> " or in " + t.toString().substring(2).toLowerCase()).orElse(""));
        } else if (request instanceof AdminRequest.Shutdown s) {
            supervisor.request(s.fast() ? Supervisor.Stop.FAST : Supervisor.Stop.SMART, Optional.of(s.timeout()));
            return AdminReply.ok(s.fast() ? "shutting down: ending " + sessions.count() + " sessions now"
                    : "shutting down: " + sessions.count() + " sessions end at their next transaction boundary (within "
                    + s.timeout().toString().substring(2).toLowerCase() + ")");
        }
        throw new IllegalArgumentException("unexpected request " + request);
    }

    private AdminReply pause(Duration timeout) {
        long number;
        Instant until = Instant.now().plus(timeout).truncatedTo(ChronoUnit.SECONDS);
        synchronized (this) {
            number = ++pauseNumber;
            sessions.pause();
            if (autoResume != null) {
                autoResume.cancel(false);
            }
            autoResume = timer.schedule(() -> timedOut(number, timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.info("paused: new requests are held until a resume, at the latest until {}", until);
        while (true) {
            int busy = busyCount();
            synchronized (this) {
                if (number != pauseNumber || sessions.pausedSince().isEmpty()) {
                    return AdminReply.error(busy == 0 ? "the pause was lifted before it took hold"
                            : "the pause ended (resumed or timed out) while " + busy + " sessions were still busy");
                }
                if (busy == 0) {
                    log.info("paused: every session is quiet ({} open, {} holding a request)", sessions.count(),
                            sessions.heldCount());
                    return AdminReply.ok("paused: " + sessions.count() + " sessions, none busy; new requests are held until "
                            + "'pgrouter-cli resume', at the latest until " + until);
                }
            }
            try {
                Thread.sleep(BUSY_POLL_MS); // polls the sessions' state: no event says "the last one became quiet"
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return AdminReply.error("interrupted");
            }
        }
    }

    private int busyCount() {
        try {
            return sessions.busyCount().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private synchronized void timedOut(long number, Duration timeout) {
        if (number != pauseNumber || sessions.pausedSince().isEmpty()) {
            return;
        }
        int held = sessions.heldCount();
        sessions.resume();
        autoResume = null;
        log.warn("the pause reached its timeout ({}) without a resume: resumed automatically, {} sessions released",
                timeout, held);
    }

    private synchronized AdminReply resume() {
        Optional<Instant> since = sessions.pausedSince();
        if (since.isEmpty()) {
            return AdminReply.ok("pgrouter was not paused");
        }
        if (autoResume != null) {
            autoResume.cancel(false);
            autoResume = null;
        }
        pauseNumber++;
        int held = sessions.heldCount();
        sessions.resume();
        Duration paused = Duration.between(since.get(), Instant.now());
        log.info("resumed after {} ms: {} sessions released", paused.toMillis(), held);
        return AdminReply.ok("resumed after " + paused.toMillis() + " ms: " + held + " sessions released");
    }

    void close() {
        timer.shutdownNow();
    }
}
