package io.pgrouter.core.server;

import io.netty.channel.EventLoop;
import io.pgrouter.core.pool.PoolConfig;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * How many server connections may exist, per pool, database and user, over every worker, and who
 * waits for one. Every backend connection holds a {@link Permit} from its opening to its close,
 * so the limits of {@link PoolSettings} hold exactly, whichever pipeline asked and however many
 * workers there are; idle connections are cached per worker ({@link ServerPool}) but counted here.
 *
 * <p>A client that finds its pool full waits in one FIFO queue, without a thread and without
 * polling: a permit freed by a closing connection goes to the oldest waiter it lets in; a
 * connection given back while someone waits goes straight to that waiter when it is on the same
 * worker and wants the same login, and is closed otherwise so that its permit moves on. A waiter
 * blocked while idle connections hold the permits it needs makes the workers close one. After
 * {@code reserve_pool_timeout} a waiter may use the reserve; after {@code query_wait_timeout} it
 * is told the pool is full.
 *
 * <p>Thread-safe: workers call it concurrently; one lock guards the counts and the queue, held
 * only to count. Callbacks to a waiter run on its own event loop, outside the lock.
 */
final class ServerBudget {
    /** A pool: the connections to one backend for one database and user. */
    record PoolId(Endpoint address, String database, String user) {
    }

    private record DbId(Endpoint address, String database) {
    }

    private record UserId(Endpoint address, String user) {
    }

    /** Someone who asked for a connection and was queued. Callbacks run on {@link #loop()}. */
    interface Waiter {
        EventLoop loop();

        /** The login it wants: a connection given back with this key can be handed over as it is. */
        ServerPool.Key key();

        /** It may open a connection now. */
        void granted(Permit permit);

        /** It gets a ready connection given back by another session, now on its loop (called there). */
        void handed(BackendConnection connection);

        /** A connection handed to it was lost on the way (a move between loops failed): it asks again. */
        void retry();

        /** It waited {@code query_wait_timeout} in vain; {@code why} says so for the client. */
        void timedOut(String why);
    }

    /** The right to one server connection, given back exactly once when the connection closes. */
    final class Permit {
        private final PoolId pool;
        private final Counts counts;
        private boolean released; // guarded by ServerBudget.this

        private Permit(PoolId pool, Counts counts) {
            this.pool = pool;
            this.counts = counts;
        }

        PoolId pool() {
            return pool;
        }

        /** The connection is gone (or was never opened): the permit goes to whoever waits. */
        void release() {
            ServerBudget.this.release(this);
        }
    }

    /** A waiter in the queue, with its timers. */
    private final class Queued {
        final Waiter waiter;
        final PoolId pool;
        final long since = System.nanoTime();
        boolean reserveAllowed;
        ScheduledFuture<?> reserveTimer;
        ScheduledFuture<?> timeoutTimer;

        Queued(Waiter waiter, PoolId pool) {
            this.waiter = waiter;
            this.pool = pool;
        }
    }

    /**
     * Per pool: connections counted (lent, opening or idle), of which idle, and waiters. The idle
     * count changes twice per transaction of the transaction pipeline (a connection taken from a
     * worker's idle cache and parked again): it is an atomic its permits reach directly, outside
     * the lock. The counts live as long as a permit does ({@code open > 0}), so a permit's
     * reference never points at counts the map forgot.
     */
    private static final class Counts {
        int open;
        final AtomicInteger idle = new AtomicInteger();
        int waiting;
    }

    /**
     * How long a waiter elsewhere may be passed over by hand-overs on another loop before a
     * connection given back there is closed for it instead.
     */
    static final Duration HANDOVER_PRIORITY = Duration.ofMillis(50);

    private final Map<PoolId, Counts> pools = new HashMap<>();
    private final Map<DbId, int[]> perDatabase = new HashMap<>();
    private final Map<UserId, int[]> perUser = new HashMap<>();
    /** Insertion order is arrival order: the FIFO queue, with removal of any entry in O(1). */
    private final LinkedHashMap<Waiter, Queued> queue = new LinkedHashMap<>();
    private volatile PoolConfig settings;
    /** Asks every worker to close one idle connection that keeps the given pool's waiter out. */
    private final Consumer<PoolId> reclaim;
    /** Waiters queued: read without the lock on the hot path (give-back), to skip it when zero. */
    private volatile int queued;

    ServerBudget(PoolConfig settings, Consumer<PoolId> reclaim) {
        this.settings = settings;
        this.reclaim = reclaim;
    }

    ServerBudget(PoolSettings settings, Consumer<PoolId> reclaim) {
        this(PoolConfig.of(settings), reclaim);
    }

    /** The settings of the pools of this backend. */
    PoolSettings settings(Endpoint backend) {
        return settings.forBackend(backend);
    }

    /** A reload's settings: larger limits let waiters in at once; smaller ones apply as connections close. */
    void settings(PoolConfig next) {
        List<Runnable> grants;
        synchronized (this) {
            settings = next;
            grants = grantWaiting();
        }
        grants.forEach(Runnable::run);
    }

    /**
     * A permit for a new connection of the pool, or null when the waiter was queued (it hears
     * through its callbacks). Waiters already queued for the pool go first.
     */
    Permit request(PoolId pool, Waiter waiter) {
        boolean blockedByIdle;
        synchronized (this) {
            Counts c = counts(pool);
            if (c.waiting == 0 && fits(pool, false)) {
                return take(pool);
            }
            Queued q = new Queued(waiter, pool);
            queue.put(waiter, q);
            queued = queue.size();
            c.waiting++;
            schedule(q);
            blockedByIdle = idleSharingLimits(pool);
        }
        if (blockedByIdle) {
            reclaim.accept(pool);
        }
        return null;
    }

    /**
     * A permit for a new connection of the pool if one is free now, else null, without queuing:
     * for a read that can go to the primary instead. Idle connections in the way are reclaimed
     * for the next time.
     */
    Permit tryRequest(PoolId pool) {
        synchronized (this) {
            Counts c = pools.get(pool);
            if ((c == null || c.waiting == 0) && fits(pool, false)) {
                return take(pool);
            }
            if (!idleSharingLimits(pool)) {
                return null;
            }
        }
        reclaim.accept(pool);
        return null;
    }

    /**
     * A permit for a connection that brings the pool up to its {@code min_pool_size}, or null:
     * only while it has fewer, nobody waits (waiters go first) and the limits allow one more.
     */
    synchronized Permit spare(PoolId pool) {
        Counts c = pools.get(pool);
        int open = c == null ? 0 : c.open;
        if (!queue.isEmpty() || open >= settings(pool.address()).keptConnections() || !fits(pool, false)) {
            return null;
        }
        return take(pool);
    }

    /** How many connections the pool has beyond its {@code pool_size} and reserve (after a reload made them smaller). */
    synchronized int beyondLimit(PoolId pool) {
        Counts c = pools.get(pool);
        PoolSettings s = settings(pool.address());
        return c == null ? 0 : c.open - s.poolSize() - s.reservePoolSize();
    }

    /** How many of the pool's connections may close without taking it below {@code min_pool_size}. */
    synchronized int beyondKept(PoolId pool) {
        Counts c = pools.get(pool);
        return c == null ? 0 : c.open - settings(pool.address()).keptConnections();
    }

    /** The waiter no longer wants a connection (its client left); false if it was granted one meanwhile. */
    boolean cancel(Waiter waiter) {
        synchronized (this) {
            Queued q = queue.remove(waiter);
            if (q == null) {
                return false;
            }
            dequeued(q);
            return true;
        }
    }

    /** What to do with a connection given back by its session. */
    record GiveBack(Waiter handTo, boolean close) {
        static final GiveBack PARK = new GiveBack(null, false);
        static final GiveBack CLOSE = new GiveBack(null, true);
    }

    /**
     * A connection of {@code pool}, logged in as {@code key}, is given back (or reclaimed) on
     * {@code loop}. Who gets it:
     * <ul>
     *   <li>the oldest waiter on the same loop that wants the same login, unless a waiter
     *       elsewhere has waited longer than {@link #HANDOVER_PRIORITY} (a hand-over on one loop
     *       costs nothing; this keeps connections where they are used);</li>
     *   <li>else the oldest waiter it lets in, if that one wants the same login (on another loop
     *       the connection moves there);</li>
     *   <li>else, when someone waits for what it holds, nobody: it is closed and its permit moves
     *       on; else it is parked.</li>
     * </ul>
     * The waiter chosen leaves the queue. The caller, on {@code loop}, does what the answer says.
     */
    GiveBack giveBack(PoolId pool, EventLoop loop, ServerPool.Key key) {
        if (queued == 0) {
            return GiveBack.PARK;
        }
        synchronized (this) {
            Queued oldest = null;
            Queued sameLoop = null;
            for (Queued q : queue.values()) {
                if (!sharesLimits(q.pool, pool)) {
                    continue;
                }
                if (oldest == null) {
                    oldest = q;
                }
                if (q.waiter.loop() == loop && wants(q, pool, key)) {
                    sameLoop = q;
                    break;
                }
            }
            if (oldest == null) {
                return GiveBack.PARK;
            }
            Queued chosen;
            if (sameLoop != null && (sameLoop == oldest || System.nanoTime() - oldest.since <= HANDOVER_PRIORITY.toNanos())) {
                chosen = sameLoop;
            } else if (wants(oldest, pool, key)) {
                chosen = oldest;
            } else {
                return GiveBack.CLOSE;
            }
            queue.remove(chosen.waiter);
            dequeued(chosen);
            return new GiveBack(chosen.waiter, false);
        }
    }

    private static boolean wants(Queued q, PoolId pool, ServerPool.Key key) {
        return q.pool.equals(pool) && key.equals(q.waiter.key());
    }

    /**
     * Counts the permit's connection parked in a worker's idle cache ({@code +1}) or taken out of
     * it ({@code -1}). No lock: what reads it under the lock (the monitor, reclaiming for a
     * waiter) may see a count a moment old, as it would a moment later anyway.
     */
    void idle(Permit permit, int delta) {
        permit.counts.idle.addAndGet(delta);
    }

    /** Every pool that has or wants connections, for the monitor. */
    synchronized List<PoolStats> stats() {
        Map<PoolId, Long> oldest = new HashMap<>();
        for (Queued q : queue.values()) {
            oldest.putIfAbsent(q.pool, q.since);
        }
        long now = System.nanoTime();
        List<PoolStats> result = new ArrayList<>();
        pools.forEach((id, c) -> {
            Long since = oldest.get(id);
            result.add(new PoolStats(id.address(), id.database(), id.user(), c.open - c.idle.get(), c.idle.get(), c.waiting,
                    since == null ? Duration.ZERO : Duration.ofNanos(now - since)));
        });
        return result;
    }

    // ---- under the lock -------------------------------------------------------------------------

    private void release(Permit permit) {
        List<Runnable> grants;
        synchronized (this) {
            if (permit.released) {
                return;
            }
            permit.released = true;
            PoolId pool = permit.pool;
            Counts c = counts(pool);
            c.open--;
            perDatabase.get(new DbId(pool.address(), pool.database()))[0]--;
            perUser.get(new UserId(pool.address(), pool.user()))[0]--;
            if (c.open == 0 && c.waiting == 0 && c.idle.get() == 0) {
                pools.remove(pool);
            }
            grants = grantWaiting();
        }
        grants.forEach(Runnable::run);
    }

    /** Lets in every waiter that now fits, oldest first; returns the callbacks to run after the lock. */
    private List<Runnable> grantWaiting() {
        if (queue.isEmpty()) {
            return List.of();
        }
        List<Runnable> grants = new ArrayList<>();
        for (Iterator<Queued> it = queue.values().iterator(); it.hasNext();) {
            Queued q = it.next();
            if (fits(q.pool, q.reserveAllowed)) {
                it.remove();
                dequeued(q);
                Permit p = take(q.pool);
                grants.add(() -> q.waiter.loop().execute(() -> q.waiter.granted(p)));
            }
        }
        return grants;
    }

    private boolean fits(PoolId pool, boolean reserve) {
        PoolSettings s = settings(pool.address());
        Counts c = pools.get(pool);
        int open = c == null ? 0 : c.open;
        if (open >= s.poolSize() + (reserve ? s.reservePoolSize() : 0)) {
            return false;
        }
        if (s.maxDbConnections() > 0 && count(perDatabase, new DbId(pool.address(), pool.database())) >= s.maxDbConnections()) {
            return false;
        }
        return s.maxUserConnections() <= 0 || count(perUser, new UserId(pool.address(), pool.user())) < s.maxUserConnections();
    }

    private Permit take(PoolId pool) {
        Counts c = counts(pool);
        c.open++;
        perDatabase.computeIfAbsent(new DbId(pool.address(), pool.database()), k -> new int[1])[0]++;
        perUser.computeIfAbsent(new UserId(pool.address(), pool.user()), k -> new int[1])[0]++;
        return new Permit(pool, c);
    }

    /** Whether a connection of {@code held} counts against a limit that {@code wanted} is subject to. */
    static boolean sharesLimits(PoolId wanted, PoolId held) {
        return wanted.address().equals(held.address())
                && (wanted.database().equals(held.database()) || wanted.user().equals(held.user()));
    }

    private boolean idleSharingLimits(PoolId wanted) {
        for (Map.Entry<PoolId, Counts> e : pools.entrySet()) {
            if (e.getValue().idle.get() > 0 && sharesLimits(wanted, e.getKey())) {
                return true;
            }
        }
        return false;
    }

    private void schedule(Queued q) {
        PoolSettings s = settings(q.pool.address());
        EventLoop loop = q.waiter.loop();
        if (s.reservePoolSize() > 0) {
            q.reserveTimer = loop.schedule(() -> useReserve(q), s.reservePoolTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!s.queryWaitTimeout().isZero()) {
            q.timeoutTimer = loop.schedule(() -> expire(q), s.queryWaitTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void useReserve(Queued q) {
        List<Runnable> grants;
        synchronized (this) {
            if (queue.get(q.waiter) != q) {
                return;
            }
            q.reserveAllowed = true;
            grants = grantWaiting();
        }
        grants.forEach(Runnable::run);
    }

    private void expire(Queued q) {
        String why;
        synchronized (this) {
            if (queue.get(q.waiter) != q) {
                return;
            }
            queue.remove(q.waiter);
            dequeued(q);
            Counts c = counts(q.pool);
            PoolSettings s = settings(q.pool.address());
            why = "pgrouter: query_wait_timeout: no server connection to " + q.pool.address() + " for user \""
                    + q.pool.user() + "\" database \"" + q.pool.database() + "\" came free within "
                    + s.queryWaitTimeout().toMillis() + " ms (" + c.open + " open, pool_size "
                    + s.poolSize() + ")";
        }
        q.waiter.timedOut(why); // the timer runs on the waiter's loop
    }

    private void dequeued(Queued q) {
        queued = queue.size();
        Counts c = counts(q.pool);
        c.waiting--;
        if (q.reserveTimer != null) {
            q.reserveTimer.cancel(false);
        }
        if (q.timeoutTimer != null) {
            q.timeoutTimer.cancel(false);
        }
    }

    private Counts counts(PoolId pool) {
        return pools.computeIfAbsent(pool, k -> new Counts());
    }

    private static <K> int count(Map<K, int[]> counts, K key) {
        int[] n = counts.get(key);
        return n == null ? 0 : n[0];
    }
}
