package io.pgrouter.core;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The SUPERVISOR of seed 000: the main thread, once pgrouter runs, waits here for signals.
 * SIGTERM and SIGINT stop pgrouter (closing the listener, then every session); SIGHUP is logged
 * until reloading lands.
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final Router router;
    private final CountDownLatch stop = new CountDownLatch(1);

    Supervisor(Router router) {
        this.router = router;
    }

    void awaitShutdown() {
        Signal.handle(new Signal("TERM"), s -> requestStop("SIGTERM"));
        Signal.handle(new Signal("INT"), s -> requestStop("SIGINT"));
        Signal.handle(new Signal("HUP"), s -> log.warn("SIGHUP: reloading is not implemented yet; restart pgrouter to apply changes"));
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
