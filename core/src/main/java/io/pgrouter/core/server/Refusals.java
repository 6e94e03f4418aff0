package io.pgrouter.core.server;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs clients turned away because {@code max_clients} is reached: one line at most per second,
 * saying how many were refused since the last one, so that a flood of connections cannot flood
 * the log too. Thread-safe (every worker refuses).
 */
final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(Refusals.class);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());

    void refused(SocketAddress client, int maxClients) {
        unlogged.incrementAndGet();
        long now = System.nanoTime();
        long due = nextLogAt.get();
        if (now - due >= 0 && nextLogAt.compareAndSet(due, now + INTERVAL_NANOS)) {
            long refused = unlogged.getAndSet(0); // this one and those not logged since the last line
            log.warn("refused {} (max_clients {} reached){}", client, maxClients,
                    refused > 1 ? "; " + (refused - 1) + " more refused since the last such line" : "");
        }
    }
}
