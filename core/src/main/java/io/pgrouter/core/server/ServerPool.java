package io.pgrouter.core.server;

import io.netty.channel.EventLoop;
import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle backend connections of one event loop, ready to be reused by the sessions of that loop
 * (the transaction pipeline's server pool). Keyed by address and the startup parameters the
 * connection logged in with, so a reused connection is one the client could have opened itself.
 *
 * <p>One pool per event loop, touched only from that loop: no locks, and a session and the
 * backends it uses stay on one thread. The most recently used connection is reused first (its
 * backend process is warm); connections idle longer than {@link #IDLE_TIMEOUT} are closed.
 */
final class ServerPool {
    /**
     * What an idle connection must match to be reused: the address and the client's startup
     * parameters. Looked up on every transaction of the transaction pipeline, so its hash (over
     * the whole parameter map) is worked out once.
     */
    record Key(Endpoint address, Map<String, String> parameters, int hash) {
        Key(Endpoint address, Map<String, String> parameters) {
            this(address, parameters, 31 * address.hashCode() + parameters.hashCode());
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Key k && k.hash == hash && k.address.equals(address)
                    && k.parameters.equals(parameters);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Idle connections kept per key and loop; more are closed when given back. */
    static final int MAX_IDLE_PER_KEY = 64;

    private final Map<Key, ArrayDeque<BackendConnection>> idle = new HashMap<>();

    ServerPool(EventLoop loop) {
        long every = IDLE_TIMEOUT.toMillis() / 4;
        loop.scheduleWithFixedDelay(this::closeStale, every, every, TimeUnit.MILLISECONDS);
    }

    /** The most recently released open connection for the key, or null. */
    BackendConnection take(Key key) {
        ArrayDeque<BackendConnection> queue = idle.get(key);
        while (queue != null && !queue.isEmpty()) {
            BackendConnection b = queue.pollLast();
            if (b.isOpen()) {
                return b;
            }
        }
        return null;
    }

    /** Keeps an idle connection (closing it when the key has enough). */
    void put(BackendConnection backend) {
        ArrayDeque<BackendConnection> queue = idle.computeIfAbsent(backend.poolKey(), k -> new ArrayDeque<>());
        if (queue.size() >= MAX_IDLE_PER_KEY) {
            backend.close();
            return;
        }
        queue.addLast(backend);
    }

    /** Forgets a connection that closed while idle. */
    void remove(BackendConnection backend) {
        ArrayDeque<BackendConnection> queue = idle.get(backend.poolKey());
        if (queue != null) {
            queue.remove(backend);
        }
    }

    private void closeStale() {
        long cutoff = System.nanoTime() - IDLE_TIMEOUT.toNanos();
        for (Iterator<ArrayDeque<BackendConnection>> it = idle.values().iterator(); it.hasNext();) {
            ArrayDeque<BackendConnection> queue = it.next();
            // Oldest first: stop at the first one still fresh enough.
            while (!queue.isEmpty() && queue.peekFirst().idleSince() - cutoff < 0) {
                queue.pollFirst().close();
            }
            if (queue.isEmpty()) {
                it.remove();
            }
        }
    }
}
