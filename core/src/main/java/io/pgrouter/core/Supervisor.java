package io.pgrouter.core;

import io.pgrouter.core.server.Sessions;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The SUPERVISOR of the original pgrouter's design: the main thread, once pgrouter runs, waits
 * here for signals and stop requests. SIGTERM is a smart shutdown (sessions end at their next
 * transaction boundary, within {@code shutdown_timeout}), SIGINT a fast one (every session now);
 * SIGHUP reopens the log file and reloads the configuration file; SIGUSR1 only reopens the log
 * file (logrotate's {@code postrotate}). The admin channel asks for drains and shutdowns here too.
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** How long a fast shutdown waits for the sessions' FATAL messages to be written. */
    private static final long TERMINATE_WAIT_MS = 2_000;
    private static final long POLL_MS = 100;

    /** How pgrouter stops, least forceful first; a later, more forceful request takes over. */
    enum Stop {
        /** Stop accepting; exit when the last session ends by itself. */
        DRAIN,
        /** Stop accepting; end each session at its next transaction boundary. */
        SMART,
        /** End every session now. */
        FAST
    }

    private final Router router;
    private final Runnable reload;
    private final Runnable reopenLogs;
    private final Duration sigtermTimeout;
    private Stop stop;
    /** When the sessions still open are ended whatever they do; 0 without a limit (a drain without timeout). */
    private long deadline;

    Supervisor(Router router, Runnable reload, Runnable reopenLogs, Duration sigtermTimeout) {
        this.router = router;
        this.reload = reload;
        this.reopenLogs = reopenLogs;
        this.sigtermTimeout = sigtermTimeout;
    }

    /** Asks pgrouter to stop; {@code timeout} bounds the wait for sessions (empty: no bound). */
    synchronized void request(Stop how, Optional<Duration> timeout) {
        long until = timeout.map(t -> Math.max(1, System.nanoTime() + t.toNanos())).orElse(0L);
        if (stop == null || how.ordinal() > stop.ordinal()) {
            stop = how;
            deadline = until;
        } else if (how == stop && until != 0 && (deadline == 0 || until - deadline < 0)) {
            deadline = until;
        }
        notifyAll();
    }

    void awaitShutdown() {
        Signal.handle(new Signal("TERM"), s -> {
            log.info("SIGTERM: shutting down; sessions end at their next transaction boundary, within {}", sigtermTimeout);
            request(Stop.SMART, Optional.of(sigtermTimeout));
        });
        Signal.handle(new Signal("INT"), s -> {
            log.info("SIGINT: shutting down now");
            request(Stop.FAST, Optional.empty());
        });
        SignalHandler previous = Signal.handle(new Signal("HUP"), s -> {
            reopenLogs.run();
            log.info("SIGHUP: reloading the configuration");
            reload.run();
        });
        if (previous == SignalHandler.SIG_IGN) {
            // Inherited as ignored (nohup): the JVM then leaves SIGHUP ignored and ours never runs.
            log.warn("SIGHUP is ignored by this process (started under nohup?): kill -HUP will not reload; "
                    + "use 'pgrouter-cli reload', or start pgrouter with bin/pgrouter");
        }
        Signal.handle(new Signal("USR1"), s -> reopenLogs.run());
        waitForRequest();
        endSessions();
        router.close();
        log.info("pgrouter stopped");
    }

    private synchronized void waitForRequest() {
        while (stop == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = Stop.FAST;
            }
        }
    }

    /** No new clients; then the sessions end as the request says, or all at the deadline. */
    private void endSessions() {
        Sessions sessions = router.sessions();
        synchronized (this) {
            if (stop == Stop.DRAIN) {
                sessions.draining();
            }
        }
        router.stopAccepting();
        while (sessions.count() > 0) {
            Stop how;
            long until;
            synchronized (this) {
                how = stop;
                until = deadline;
            }
            if (how == Stop.FAST || (until != 0 && System.nanoTime() - until >= 0)) {
                if (how != Stop.FAST) {
                    log.warn("{} sessions still open at the end of the {}: ending them now", sessions.count(),
                            how == Stop.DRAIN ? "drain" : "shutdown");
                }
                sessions.terminateAll(TERMINATE_WAIT_MS);
                return;
            }
            if (how == Stop.SMART) {
                sessions.endQuietSessions();
            }
            synchronized (this) {
                try {
                    wait(POLL_MS); // or until a more forceful request
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop = Stop.FAST;
                }
            }
        }
    }
}
