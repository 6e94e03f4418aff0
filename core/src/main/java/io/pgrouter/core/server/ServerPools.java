package io.pgrouter.core.server;

import io.netty.channel.EventLoop;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.spi.monitor.PoolStats;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The pools: one {@link ServerBudget} for the whole process (the limits) and the idle cache
 * ({@link ServerPool}) of each event loop, made when a loop first needs one.
 */
final class ServerPools {
    private final ConcurrentMap<EventLoop, ServerPool> pools = new ConcurrentHashMap<>();
    private final ServerBudget budget;
    /**
     * The ParameterStatus messages of the latest pooled login, per login: what a client is
     * greeted with before it has a connection. As many entries as distinct logins seen.
     */
    private static final int MAX_GREETINGS = 10_000;
    private final ConcurrentMap<ServerPool.Key, byte[]> greetings = new ConcurrentHashMap<>();

    ServerPools(PoolSettings settings) {
        this.budget = new ServerBudget(settings, this::reclaimFor);
    }

    ServerPool of(EventLoop loop) {
        return pools.computeIfAbsent(loop, l -> new ServerPool(l, budget));
    }

    /** Keeps a pooled login's ParameterStatus messages, for greeting later clients with the same login. */
    void rememberGreeting(ServerPool.Key key, byte[] parameterStatus) {
        if (greetings.size() >= MAX_GREETINGS && !greetings.containsKey(key)) {
            greetings.clear(); // logins that vary without end (a unique application_name each): start over
        }
        greetings.put(key, parameterStatus);
    }

    /** What {@link #rememberGreeting} kept for the login, or null. */
    byte[] rememberedGreeting(ServerPool.Key key) {
        return greetings.get(key);
    }

    ServerBudget budget() {
        return budget;
    }

    List<PoolStats> stats() {
        return budget.stats();
    }

    /** Asks every loop to close one idle connection that keeps a waiter for {@code wanted} out. */
    private void reclaimFor(ServerBudget.PoolId wanted) {
        pools.forEach((loop, pool) -> loop.execute(() -> pool.reclaimFor(wanted)));
    }
}
