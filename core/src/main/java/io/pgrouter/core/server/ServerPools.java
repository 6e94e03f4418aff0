package io.pgrouter.core.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.pgrouter.core.pool.PoolConfig;
import io.pgrouter.spi.monitor.PoolStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The pools: one {@link ServerBudget} for the whole process (the limits) and the idle cache
 * ({@link ServerPool}) of each event loop, made when a loop first needs one.
 */
final class ServerPools {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServerPools.class);
    private final ConcurrentMap<EventLoop, ServerPool> pools = new ConcurrentHashMap<>();
    private final ServerBudget budget;
    /**
     * The ParameterStatus messages of the latest pooled login, per login: what a client is
     * greeted with before it has a connection. As many entries as distinct logins seen.
     */
    private static final int MAX_GREETINGS = 10_000;
    private final ConcurrentMap<ServerPool.Key, byte[]> greetings = new ConcurrentHashMap<>();
    private final ConcurrentMap<ServerPool.Key, ServerPool.Key> keys = new ConcurrentHashMap<>();

    private final PoolMinimum minimum;

    ServerPools(PoolConfig settings, Supplier<BackendConnector> connector, Supplier<Security> security) {
        this.budget = new ServerBudget(settings, this::reclaimFor);
        this.minimum = new PoolMinimum(this, connector, security);
    }

    ServerPool of(EventLoop loop) {
        ServerPool pool = pools.get(loop); // once per transaction in the transaction pipeline: no lock
        if (pool != null) {
            return pool;
        }
        return pools.computeIfAbsent(loop, l -> {
            l.scheduleWithFixedDelay(() -> minimum.keep(l), 1, 1, TimeUnit.SECONDS);
            return new ServerPool(l, budget);
        });
    }

    /**
     * The one key equal to {@code key} that pooled connections carry: sessions with the same
     * login share it, so matching an idle connection to a session is mostly an identity check
     * rather than a comparison of every startup parameter. Bounded as the greetings are.
     */
    ServerPool.Key canonical(ServerPool.Key key) {
        if (keys.size() >= MAX_GREETINGS && !keys.containsKey(key)) {
            keys.clear();
        }
        ServerPool.Key known = keys.putIfAbsent(key, key);
        return known == null ? key : known;
    }

    /** A client's connection to the pool logged in: see {@link PoolMinimum#used}. */
    void used(ServerBudget.PoolId pool, PoolMinimum.Login login) {
        minimum.used(pool, login);
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

    /**
     * A connection given back (or reclaimed) on {@code loop}, idle and reusable: goes to a
     * waiting client (moved to its loop if need be), is closed for one that needs its permit, or
     * is parked in the loop's idle cache. Runs on {@code loop}.
     */
    void offer(BackendConnection b, EventLoop loop) {
        ServerBudget.GiveBack next = budget.giveBack(b.permit().pool(), loop, b.poolKey());
        ServerBudget.Waiter to = next.handTo();
        if (to == null) {
            if (next.close()) {
                b.close();
            } else {
                b.parkIn(of(loop));
            }
        } else if (to.loop() == loop) {
            to.handed(b);
        } else {
            moveTo(b, to.loop()).addListener(moved -> {
                if (moved.isSuccess() && b.isOpen()) {
                    to.handed(b);
                } else {
                    log.warn("moving a server connection to another worker failed: {}", moved.cause() == null
                            ? "it closed on the way" : moved.cause().toString());
                    b.close();
                    to.retry();
                }
            });
        }
    }

    /**
     * Moves an idle connection (no owner, not parked) to another event loop, for a session
     * there: the channel leaves its loop's selector and joins the other's, keeping the backend
     * session, its login and its permit. Far cheaper than closing it and logging in anew. The
     * future completes on {@code target}.
     */
    private static Future<Void> moveTo(BackendConnection b, EventLoop target) {
        Promise<Void> moved = target.newPromise();
        b.flushIfDirty();
        Channel channel = b.channel();
        channel.deregister().addListener(left -> {
            if (!left.isSuccess()) {
                moved.setFailure(left.cause());
                return;
            }
            target.register(channel).addListener(joined -> {
                if (joined.isSuccess()) {
                    moved.setSuccess(null);
                } else {
                    moved.setFailure(joined.cause());
                }
            });
        });
        return moved;
    }

    ServerBudget budget() {
        return budget;
    }

    List<PoolStats> stats() {
        return budget.stats();
    }

    /**
     * Closes one idle connection that keeps a waiter for {@code wanted} out: asks the loops in
     * turn, each on its own thread, until one had such a connection. One per waiter, so that a
     * burst of waiters does not empty every idle cache at once.
     */
    private void reclaimFor(ServerBudget.PoolId wanted) {
        reclaimFrom(List.copyOf(pools.entrySet()), 0, wanted);
    }

    private void reclaimFrom(List<Map.Entry<EventLoop, ServerPool>> loops, int next, ServerBudget.PoolId wanted) {
        if (next >= loops.size()) {
            return;
        }
        Map.Entry<EventLoop, ServerPool> e = loops.get(next);
        e.getKey().execute(() -> {
            if (!e.getValue().reclaimFor(wanted, this)) {
                reclaimFrom(loops, next + 1, wanted);
            }
        });
    }
}
