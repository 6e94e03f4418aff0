package io.pgrouter.core.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.spi.pipeline.Backend;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps each pool that has been used at its {@code min_pool_size}, as PgBouncer does: a pool with
 * fewer connections gets new ones, opened in the background, logged in the way its last client's
 * connection was, and parked idle (or handed to a client that waits). They count in the limits
 * like any other, and waiting clients go first ({@link ServerBudget#spare}).
 *
 * <p>What a login needs (the startup message, the user's secret or SCRAM keys) is kept per pool
 * only while the pool's {@code min_pool_size} is above zero; a login that fails is forgotten until
 * a client logs in to the pool again, so a changed password does not make pgrouter retry forever.
 */
final class PoolMinimum {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PoolMinimum.class);

    /** How the pool's last client was logged in, and on which worker its connections are kept. */
    record Login(ServerPool.Key key, byte[] startupMessage, Function<byte[], BackendAuthenticator> authenticators,
            EventLoop loop) {
    }

    private final Map<ServerBudget.PoolId, Login> logins = new ConcurrentHashMap<>();
    /** Pools with a connection opening: one at a time each, so that a slow backend is not flooded. */
    private final Map<ServerBudget.PoolId, Boolean> opening = new ConcurrentHashMap<>();
    private final ServerPools pools;
    private final Supplier<BackendConnector> connector;
    private final Supplier<Security> security;

    PoolMinimum(ServerPools pools, Supplier<BackendConnector> connector, Supplier<Security> security) {
        this.pools = pools;
        this.connector = connector;
        this.security = security;
    }

    /** A client's connection to the pool logged in: the pool is in use, and kept from now on if it has a minimum. */
    void used(ServerBudget.PoolId pool, Login login) {
        if (pools.budget().settings(pool.address()).keptConnections() > 0) {
            logins.put(pool, login);
        } else {
            logins.remove(pool);
        }
    }

    /** Opens what the pools kept on {@code loop} lack, one connection per pool at a time. Runs on {@code loop}. */
    void keep(EventLoop loop) {
        for (Map.Entry<ServerBudget.PoolId, Login> e : logins.entrySet()) {
            if (e.getValue().loop() == loop && !opening.containsKey(e.getKey())) {
                ServerBudget.Permit permit = pools.budget().spare(e.getKey());
                if (permit != null) {
                    open(e.getKey(), e.getValue(), permit);
                }
            }
        }
    }

    private void open(ServerBudget.PoolId pool, Login login, ServerBudget.Permit permit) {
        opening.put(pool, Boolean.TRUE);
        connector.get().connect(null, pool.address(), security.get().backendTls().get(pool.address()), login.loop(), permit)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        permit.release();
                        failed(pool, login, f.cause());
                        return;
                    }
                    BackendConnection b = ((Channel) f.getNow()).pipeline().get(BackendConnection.class);
                    CompletableFuture<Backend> loggedIn = new CompletableFuture<>();
                    loggedIn.whenComplete((ok, error) -> {
                        if (error != null) {
                            failed(pool, login, error);
                            return;
                        }
                        opening.remove(pool);
                        b.poolKey(login.key());
                        pools.offer(b, login.loop());
                    });
                    b.startLogin(Unpooled.wrappedBuffer(login.startupMessage()),
                            new LoginExchange(login.authenticators().apply(b.tlsServerEndPoint()), false), loggedIn);
                });
    }

    private void failed(ServerBudget.PoolId pool, Login login, Throwable error) {
        opening.remove(pool);
        logins.remove(pool, login);
        log.warn("could not open a connection to {} for user \"{}\" database \"{}\" to keep min_pool_size: {}",
                pool.address(), pool.user(), pool.database(), error.getMessage());
    }
}
