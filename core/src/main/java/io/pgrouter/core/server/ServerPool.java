package io.pgrouter.core.server;

import io.netty.channel.EventLoop;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle backend connections of one event loop, ready to be reused by the sessions of that loop.
 * Keyed by address and the startup parameters the connection logged in with, so a reused
 * connection is one the client could have opened itself.
 *
 * <p>One cache per event loop, touched only from that loop: no locks here, and a session and the
 * backends it uses stay on one thread. How many connections may exist is not decided here but by
 * the {@link ServerBudget}, which counts these as idle. The most recently used connection is
 * reused first (its backend process is warm); connections idle longer than
 * {@code server_idle_timeout} are closed.
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

    /** How often idle connections are checked against {@code server_idle_timeout}. */
    private static final long STALE_CHECK_MILLIS = 1000;

    private final Map<Key, ArrayDeque<BackendConnection>> idle = new HashMap<>();
    private final ServerBudget budget;
    private final EventLoop loop;

    ServerPool(EventLoop loop, ServerBudget budget) {
        this.budget = budget;
        this.loop = loop;
        loop.scheduleWithFixedDelay(this::closeStale, STALE_CHECK_MILLIS, STALE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The most recently released open connection for the key, or null. */
    BackendConnection take(Key key) {
        ArrayDeque<BackendConnection> queue = idle.get(key);
        while (queue != null && !queue.isEmpty()) {
            BackendConnection b = queue.pollLast();
            budget.idle(b.permit(), -1);
            if (b.isOpen()) {
                return b;
            }
        }
        return null;
    }

    /** Keeps an idle connection. */
    void put(BackendConnection backend) {
        idle.computeIfAbsent(backend.poolKey(), k -> new ArrayDeque<>()).addLast(backend);
        budget.idle(backend.permit(), +1);
    }

    /** Forgets a connection that closed while idle. */
    void remove(BackendConnection backend) {
        ArrayDeque<BackendConnection> queue = idle.get(backend.poolKey());
        if (queue != null && queue.remove(backend)) {
            budget.idle(backend.permit(), -1);
        }
    }

    /**
     * Offers again the longest-idle connection that holds a permit a waiter for {@code wanted}
     * needs (same backend, and same database or user), if this loop has one: it then goes to
     * that waiter (moved to its loop), or is closed so that its permit lets the waiter in.
     * Returns whether this loop had one.
     */
    boolean reclaimFor(ServerBudget.PoolId wanted, ServerPools pools) {
        BackendConnection oldest = null;
        for (ArrayDeque<BackendConnection> queue : idle.values()) {
            BackendConnection first = queue.peekFirst();
            if (first != null && ServerBudget.sharesLimits(wanted, first.permit().pool())
                    && (oldest == null || first.idleSince() - oldest.idleSince() < 0)) {
                oldest = first;
            }
        }
        if (oldest == null) {
            return false;
        }
        remove(oldest);
        oldest.unpark();
        pools.offer(oldest, loop);
        return true;
    }

    private void closeIdle(BackendConnection b) {
        budget.idle(b.permit(), -1);
        b.close();
    }

    /**
     * Closes idle connections a pool has beyond its limits (a reload made them smaller), oldest
     * first, then those idle longer than {@code server_idle_timeout}.
     */
    private void closeStale() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Key, ArrayDeque<BackendConnection>>> it = idle.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Key, ArrayDeque<BackendConnection>> e = it.next();
            ArrayDeque<BackendConnection> queue = e.getValue();
            for (int surplus = queue.isEmpty() ? 0 : budget.beyondLimit(queue.peekFirst().permit().pool());
                    surplus > 0 && !queue.isEmpty(); surplus--) {
                closeIdle(queue.pollFirst());
            }
            long timeout = budget.settings(e.getKey().address()).serverIdleTimeout().toNanos();
            if (timeout == 0) {
                if (queue.isEmpty()) {
                    it.remove();
                }
                continue;
            }
            long cutoff = now - timeout;
            // Those min_pool_size keeps stay (a check before reuse finds one that died meanwhile).
            int closable = queue.isEmpty() ? 0 : budget.beyondKept(queue.peekFirst().permit().pool());
            // Oldest first: stop at the first one still fresh enough.
            while (closable-- > 0 && !queue.isEmpty() && queue.peekFirst().idleSince() - cutoff < 0) {
                closeIdle(queue.pollFirst());
            }
            if (queue.isEmpty()) {
                it.remove();
            }
        }
    }
}
