package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.spi.monitor.PoolStats;
import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The pool limits and the wait queue, without a network: waiters are plain objects on real event loops. */
class ServerBudgetTest {
    private static final DefaultEventLoopGroup LOOPS = new DefaultEventLoopGroup(2);
    private static final EventLoop LOOP_A = LOOPS.next();
    private static final EventLoop LOOP_B = LOOPS.next();
    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 5432);
    private static final ServerBudget.PoolId APP = new ServerBudget.PoolId(PRIMARY, "app", "alice");
    private static final ServerBudget.PoolId APP_BOB = new ServerBudget.PoolId(PRIMARY, "app", "bob");
    private static final ServerBudget.PoolId OTHER_DB = new ServerBudget.PoolId(PRIMARY, "other", "alice");
    private static final ServerPool.Key KEY = new ServerPool.Key(PRIMARY, Map.of("user", "alice", "database", "app"));

    private final List<ServerBudget.PoolId> reclaimed = new ArrayList<>();

    @AfterAll
    static void stopLoops() {
        LOOPS.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static PoolSettings limits(int poolSize, int reserve, int maxDb, int maxUser, Duration wait) {
        return new PoolSettings(poolSize, reserve, Duration.ofMillis(100), maxDb, maxUser, wait, Duration.ZERO,
                Duration.ZERO);
    }

    private ServerBudget budget(PoolSettings settings) {
        return new ServerBudget(settings, reclaimed::add);
    }

    /** A waiter that records what it was told. */
    private static final class Client implements ServerBudget.Waiter {
        final EventLoop loop;
        final ServerPool.Key key;
        final CompletableFuture<ServerBudget.Permit> permit = new CompletableFuture<>();
        final CompletableFuture<String> timeout = new CompletableFuture<>();
        BackendConnection handed;

        Client(EventLoop loop, ServerPool.Key key) {
            this.loop = loop;
            this.key = key;
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public ServerPool.Key key() {
            return key;
        }

        @Override
        public void granted(ServerBudget.Permit p) {
            assertTrue(loop.inEventLoop(), "granted on the waiter's own loop");
            permit.complete(p);
        }

        @Override
        public void handed(BackendConnection connection) {
            handed = connection;
        }

        @Override
        public void retry() {
            throw new AssertionError("nothing is moved between loops here");
        }

        @Override
        public void timedOut(String why) {
            assertTrue(loop.inEventLoop(), "timed out on the waiter's own loop");
            timeout.complete(why);
        }
    }

    private static Client client() {
        return new Client(LOOP_A, KEY);
    }

    @Test
    void grantsUpToThePoolSizeThenQueuesAndServesTheOldestFirst() throws Exception {
        ServerBudget budget = budget(limits(2, 0, 0, 0, Duration.ZERO));
        ServerBudget.Permit first = budget.request(APP, client());
        ServerBudget.Permit second = budget.request(APP, client());
        assertNotNull(first);
        assertNotNull(second);
        Client third = client();
        Client fourth = client();
        assertNull(budget.request(APP, third));
        assertNull(budget.request(APP, fourth));
        first.release();
        assertNotNull(third.permit.get(5, TimeUnit.SECONDS));
        assertFalse(fourth.permit.isDone(), "one connection closed, one waiter let in");
        first.release(); // a second release of the same permit changes nothing
        assertFalse(fourth.permit.isDone());
        second.release();
        assertNotNull(fourth.permit.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(new PoolStats(PRIMARY, "app", "alice", 2, 0, 0, Duration.ZERO)), budget.stats());
    }

    @Test
    void databaseAndUserLimitsCountEveryPoolTheyCover() throws Exception {
        ServerBudget byDatabase = budget(limits(10, 0, 2, 0, Duration.ZERO));
        ServerBudget.Permit alice = byDatabase.request(APP, client());
        assertNotNull(byDatabase.request(APP_BOB, client()));
        assertNotNull(byDatabase.request(OTHER_DB, client()), "another database has its own limit");
        Client carol = client();
        assertNull(byDatabase.request(new ServerBudget.PoolId(PRIMARY, "app", "carol"), carol));
        alice.release();
        assertNotNull(carol.permit.get(5, TimeUnit.SECONDS));

        ServerBudget byUser = budget(limits(10, 0, 0, 1, Duration.ZERO));
        assertNotNull(byUser.request(APP, client()));
        assertNull(byUser.request(OTHER_DB, client()), "alice's one connection is taken, whatever the database");
        assertNotNull(byUser.request(APP_BOB, client()));
    }

    @Test
    void aWaiterIsToldThePoolIsFullAfterQueryWaitTimeout() throws Exception {
        ServerBudget budget = budget(limits(1, 0, 0, 0, Duration.ofMillis(200)));
        ServerBudget.Permit held = budget.request(APP, client());
        Client late = client();
        long start = System.nanoTime();
        assertNull(budget.request(APP, late));
        String why = late.timeout.get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "not before the timeout");
        assertTrue(why.contains("query_wait_timeout") && why.contains("pool_size 1"), why);
        assertEquals(0, budget.stats().get(0).waiting());
        held.release();
        assertFalse(late.permit.isDone(), "a waiter that timed out is not let in afterwards");
    }

    @Test
    void theReserveOpensOnlyForAClientThatWaitedReservePoolTimeout() throws Exception {
        ServerBudget budget = budget(limits(1, 1, 0, 0, Duration.ZERO));
        assertNotNull(budget.request(APP, client()));
        Client waiting = client();
        long start = System.nanoTime();
        assertNull(budget.request(APP, waiting), "the reserve is not for clients that just arrived");
        assertNotNull(waiting.permit.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos());
        assertNull(budget.request(APP, client()), "pool_size + reserve_pool_size is the most");
    }

    @Test
    void aConnectionGivenBackGoesToAWaiterWithItsLoginOrIsClosedForOneWithAnother() {
        ServerBudget budget = budget(limits(1, 0, 0, 0, Duration.ZERO));
        assertSame(ServerBudget.GiveBack.PARK, budget.giveBack(APP, LOOP_A, KEY), "nobody waits");
        ServerBudget.Permit held = budget.request(APP, client());
        Client sameLoop = client();
        assertNull(budget.request(APP, sameLoop));
        ServerBudget.GiveBack handOver = budget.giveBack(APP, LOOP_A, KEY);
        assertSame(sameLoop, handOver.handTo(), "same loop, same login: handed over as it is");
        Client otherLoop = new Client(LOOP_B, KEY);
        assertNull(budget.request(APP, otherLoop));
        assertSame(otherLoop, budget.giveBack(APP, LOOP_A, KEY).handTo(),
                "a waiter on another loop with the same login: the connection moves to it");
        Client otherLogin = new Client(LOOP_A, null);
        assertNull(budget.request(APP, otherLogin));
        assertSame(ServerBudget.GiveBack.CLOSE, budget.giveBack(APP, LOOP_A, KEY), "a waiter that needs another login");
        assertNotNull(held);
    }

    @Test
    void aWaiterOnTheSameLoopGoesFirstUntilOneElsewhereHasWaitedTooLong() throws Exception {
        ServerBudget budget = budget(limits(1, 0, 0, 0, Duration.ZERO));
        assertNotNull(budget.request(APP, client()));
        Client elsewhere = new Client(LOOP_B, KEY);
        assertNull(budget.request(APP, elsewhere));
        Client here = client();
        assertNull(budget.request(APP, here));
        assertSame(here, budget.giveBack(APP, LOOP_A, KEY).handTo(), "a hand-over beats a close and a new login");
        Client next = client();
        assertNull(budget.request(APP, next));
        Thread.sleep(ServerBudget.HANDOVER_PRIORITY.toMillis() + 20); // let the waiter elsewhere pass the limit
        assertSame(elsewhere, budget.giveBack(APP, LOOP_A, KEY).handTo(),
                "the connection moves to the client that waited longest");
    }

    @Test
    void aCancelledWaiterIsNotLetInAndIdleConnectionsInTheWayAreReclaimed() throws Exception {
        ServerBudget budget = budget(limits(1, 0, 0, 0, Duration.ZERO));
        ServerBudget.Permit idle = budget.request(APP, client());
        budget.idle(idle, +1);
        Client gone = client();
        assertNull(budget.request(APP, gone));
        assertEquals(List.of(APP), reclaimed, "an idle connection holds the permit the waiter needs");
        assertTrue(budget.cancel(gone));
        assertFalse(budget.cancel(gone));
        budget.idle(idle, -1);
        idle.release();
        assertFalse(gone.permit.isDone());
        assertTrue(budget.stats().isEmpty(), "a pool with nothing open and nobody waiting is forgotten");
    }

    @Test
    void aReloadWithALargerPoolLetsWaitersInAtOnce() throws Exception {
        ServerBudget budget = budget(limits(1, 0, 0, 0, Duration.ZERO));
        assertNotNull(budget.request(APP, client()));
        Client waiting = client();
        assertNull(budget.request(APP, waiting));
        budget.settings(io.pgrouter.core.pool.PoolConfig.of(limits(2, 0, 0, 0, Duration.ZERO)));
        assertNotNull(waiting.permit.get(5, TimeUnit.SECONDS));
    }
}
