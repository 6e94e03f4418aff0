package io.pgrouter.core;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The SUPERVISOR of the original pgrouter's design: the main thread, once pgrouter runs, waits
 * here for signals. SIGTERM and SIGINT stop pgrouter (closing the listener, then every
 * session); SIGHUP reopens the log file and reloads the configuration file; SIGUSR1 only reopens
 * the log file (logrotate's {@code postrotate}).
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final Router router;
    private final Reloader reloader;
    private final Runnable reopenLogs;
    private final CountDownLatch stop = new CountDownLatch(1);

    /** Reads the configuration file again and hands it to the router; logs what was wrong. */
    interface Reloader {
        void reload();
    }

    Supervisor(Router router, Reloader reloader, Runnable reopenLogs) {
        this.router = router;
        this.reloader = reloader;
        this.reopenLogs = reopenLogs;
    }

    void awaitShutdown() {
        Signal.handle(new Signal("TERM"), s -> requestStop("SIGTERM"));
        Signal.handle(new Signal("INT"), s -> requestStop("SIGINT"));
        Signal.handle(new Signal("HUP"), s -> {
            reopenLogs.run();
            log.info("SIGHUP: reloading the configuration");
            reloader.reload();
        });
        Signal.handle(new Signal("USR1"), s -> reopenLogs.run());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        router.close();
        log.info("pgrouter stopped");
    }

    private void requestStop(String why) {
        log.info("{}: shutting down", why);
        stop.countDown();
    }
}
