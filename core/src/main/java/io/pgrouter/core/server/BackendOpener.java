package io.pgrouter.core.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.pipeline.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a session gets its backend connections: logged into as the client's user ({@code login}),
 * taken from the pools ({@code acquire}), or relayed to the primary ({@code relayToPrimary}), each
 * with a permit of its pool first. Runs on the session's event loop; every stage completes
 * there.
 */
final class BackendOpener {
    private static final Logger log = LoggerFactory.getLogger(BackendOpener.class);

    private final ClientConnection session;
    /** Where the connections it gets for the session go, and whence they are given back. */
    private final SessionBackends backends;
    private final ServerContext server;
    private ServerPool.Key lastKey;
    private ServerBudget.PoolId lastPool;
    /** Requests queued for a permit of a full pool. */
    private final List<Wait> waits = new ArrayList<>(1);

    BackendOpener(ClientConnection session, SessionBackends backends, ServerContext server) {
        this.session = session;
        this.backends = backends;
        this.server = server;
    }

    CompletionStage<Backend> login(Endpoint address) {
        CompletableFuture<Backend> result = new CompletableFuture<>();
        openBackend(address, result, null, backend -> logIn(backend, false, result));
        return result;
    }

    /**
     * Logs into an open backend as the client's user and attaches it to the session, or fails
     * {@code result}; with {@code relayAfterAuthentication} it is attached at AuthenticationOk.
     */
    private void logIn(BackendConnection backend, boolean relayAfterAuthentication, CompletableFuture<Backend> result) {
        CompletableFuture<Backend> loggedIn = new CompletableFuture<>();
        loggedIn.whenComplete((b, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                attach(backend, result);
            }
        });
        backend.startLogin(session.startup().raw().retainedDuplicate(),
                new LoginExchange(backendAuthenticator(backend), relayAfterAuthentication), loggedIn);
    }

    private BackendAuthenticator backendAuthenticator(BackendConnection backend) {
        return session.clientLogin() != null ? session.clientLogin().backendAuthenticator(backend.tlsServerEndPoint())
                : ClientLogin.withoutSecret(session.startup().parameters().get("user"), backend.tlsServerEndPoint());
    }

    CompletionStage<Backend> acquire(Endpoint address) {
        return pooledOrNew(address);
    }

    /**
     * An idle pooled connection to the address, now the session's, or else a new one. One idle
     * longer than {@code server_check_delay} runs {@code server_check_query} first; one that
     * fails it is closed and the next idle one (or a new one) is tried, so a connection whose
     * server died while it was pooled never reaches a client.
     */
    private CompletionStage<Backend> pooledOrNew(Endpoint address) {
        BackendConnection idle = server.pools().of(session.eventLoop()).take(poolKey(address));
        if (idle == null) {
            return loginForPool(address);
        }
        PoolSettings settings = server.pools().budget().settings(address);
        long idleNanos = System.nanoTime() - idle.idleSince();
        if (idleNanos < settings.serverCheckDelay().toNanos()) {
            lend(idle);
            return CompletableFuture.completedFuture(idle);
        }
        CompletableFuture<Backend> result = new CompletableFuture<>();
        idle.check(settings.serverCheckQuery(), server.settings().connectTimeout()).thenAccept(alive -> {
            if (!alive) {
                log.info("session {}: a pooled connection to {} failed server_check_query: closed, trying another",
                        session.id(), address);
                pooledOrNew(address).whenComplete((b, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(b);
                    }
                });
            } else if (session.isClosing()) {
                server.pools().offer(idle, session.eventLoop());
                result.completeExceptionally(new IOException("client went away"));
            } else {
                lend(idle);
                result.complete(idle);
                session.flushAll(); // a backend's answer completed it, outside the session's callbacks
            }
        });
        return result;
    }

    /** A pooled connection becomes the session's, reset first when its last session left state on it. */
    private void lend(BackendConnection idle) {
        idle.adoptBy(session);
        backends.adopt(idle);
        idle.resetIfUsed();
    }

    /** A new connection, logged in as the client's user, that can go to the pool afterwards. */
    private CompletionStage<Backend> loginForPool(Endpoint address) {
        ServerPool.Key key = poolKey(address);
        CompletableFuture<Backend> result = new CompletableFuture<>();
        CompletableFuture<Backend> loggedIn = new CompletableFuture<>();
        openBackend(address, loggedIn, key, backend -> logIn(backend, false, loggedIn));
        loggedIn.whenComplete((backend, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                BackendConnection b = (BackendConnection) backend;
                b.poolKey(key); // a handed-over one has it already
                server.pools().rememberGreeting(key, b.parameterStatusMessages());
                if (server.pools().budget().settings(address).keptConnections() > 0) {
                    server.pools().used(poolId(address), new PoolMinimum.Login(key, ByteBufUtil.getBytes(session.startup().raw()),
                            session.clientLogin() != null ? session.clientLogin().backendAuthenticators()
                                    : tls -> ClientLogin.withoutSecret(session.startup().parameters().get("user"), tls),
                            session.eventLoop()));
                }
                result.complete(backend);
            }
        });
        return result;
    }

    /** The session's pool key for the address: the same object for the same address. */
    private ServerPool.Key poolKey(Endpoint address) {
        if (lastKey == null || !lastKey.address().equals(address)) {
            lastKey = server.pools().canonical(new ServerPool.Key(address, session.startup().parameters()));
        }
        return lastKey;
    }

    /**
     * Gives a connection back: to a client waiting for one like it on this loop, else to the
     * loop's idle cache; closed instead when it cannot be reused (not pooled, or something open
     * on it by what core saw pass: a request unanswered, a transaction, a Terminate), has lived past
     * {@code server_lifetime}, or holds a permit that a client elsewhere waits for.
     */
    void release(Backend backend, Session.Leftover leftover) {
        BackendConnection b = (BackendConnection) backend;
        if (leftover == Session.Leftover.SESSION_STATE) {
            b.leftWithSessionState();
        }
        if (!backends.disown(b, session.isClosing()) || b.poolKey() == null || !b.isOpen() || !b.isIdle() || pastLifetime(b)) {
            b.close();
            return;
        }
        server.pools().offer(b, session.eventLoop());
    }

    private boolean pastLifetime(BackendConnection b) {
        long lifetime = server.pools().budget().settings(b.address()).serverLifetime().toNanos();
        return lifetime > 0 && b.ageNanos() > lifetime;
    }

    /**
     * The ParameterStatus messages of the last pooled login to the primary that this session's
     * login matches, or null when there was none (or there is no primary).
     */
    byte[] rememberedGreeting() {
        return session.cluster().primary().map(p -> server.pools().rememberedGreeting(poolKey(p.address())))
                .orElse(null);
    }

    /** The pool a connection of this session to the address counts in: backend, database, user. */
    private ServerBudget.PoolId poolId(Endpoint address) {
        if (lastPool == null || !lastPool.address().equals(address)) {
            Map<String, String> p = session.startup().parameters();
            String user = p.getOrDefault("user", "");
            lastPool = new ServerBudget.PoolId(address, p.getOrDefault("database", user), user);
        }
        return lastPool;
    }

    CompletionStage<Backend> relayToPrimary() {
        Endpoint address = primaryOrFail();
        if (address == null) {
            return CompletableFuture.failedFuture(new IOException("no primary backend is available"));
        }
        CompletableFuture<Backend> result = failSessionOnError(address);
        openBackend(address, result, null, backend -> {
            // The client gets pgrouter's cancel key in the relayed BackendKeyData; core keeps the primary's.
            backend.relayLogin(session.processId(), session.secretKey());
            if (session.clientLogin() == null) {
                // The primary authenticates the client: everything it says from here on is relayed.
                backend.send(session.startup().raw().retainedDuplicate());
                attach(backend, result);
                return;
            }
            // pgrouter authenticated the client: log in as its user up to AuthenticationOk, then
            // relay the rest (ParameterStatus, BackendKeyData, ReadyForQuery) as if relayed all along.
            logIn(backend, true, result);
        });
        return result;
    }

    CompletionStage<Backend> acquirePrimary() {
        Endpoint address = primaryOrFail();
        if (address == null) {
            return CompletableFuture.failedFuture(new IOException("no primary backend is available"));
        }
        CompletionStage<Backend> pooled = pooledOrNew(address);
        if (pooled instanceof CompletableFuture<Backend> f && f.isDone() && !f.isCompletedExceptionally()) {
            return f; // the common case, once per transaction: an idle connection at hand
        }
        CompletableFuture<Backend> result = failSessionOnError(address);
        pooled.whenComplete((backend, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(backend);
            }
        });
        return result;
    }

    /** The current primary; with none, fails the session (57P03) and returns null. */
    private Endpoint primaryOrFail() {
        ClusterSnapshot cluster = session.cluster();
        Optional<BackendState> target = cluster.primary();
        if (target.isEmpty()) {
            session.fail(SqlState.CANNOT_CONNECT_NOW, "pgrouter: " + cluster.noPrimaryReason());
            return null;
        }
        return target.get().address();
    }

    /** A stage for reaching the primary whose failure pgrouter reports to the client itself. */
    private CompletableFuture<Backend> failSessionOnError(Endpoint address) {
        CompletableFuture<Backend> result = new CompletableFuture<>();
        result.whenComplete((backend, error) -> {
            if (error == null || session.isClosing()) {
                return;
            }
            if (error instanceof BackendLoginException refused) {
                log.warn("session {}: the primary {} refused the login: {}", session.id(), address, refused.getMessage());
                session.fail(refused.sqlState(), refused.getMessage());
                return;
            }
            log.warn("session {}: cannot connect to the primary {}: {}", session.id(), address, error.toString());
            session.fail(SqlState.CONNECTION_FAILURE, "pgrouter: could not connect to the primary " + address + ": "
                    + rootMessage(error));
        });
        return result;
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /**
     * Connects on this session's loop and hands the connection on, or fails {@code result}. The
     * connection needs a permit of its pool first: when the pool is full this waits in the
     * budget's queue, and fails {@code result} with 53300 after {@code query_wait_timeout}.
     * {@code reusable} is the login a connection given back by another session must have to be
     * handed to this request as it is (null: only a new connection will do).
     */
    private void openBackend(Endpoint address, CompletableFuture<Backend> result, ServerPool.Key reusable,
            Consumer<BackendConnection> connected) {
        Wait wait = new Wait(address, result, reusable, connected);
        ServerBudget budget = server.pools().budget();
        if (!isPrimary(address)) {
            // A replica's full pool is no reason to wait: the read can go to the primary.
            ServerBudget.Permit permit = budget.tryRequest(poolId(address));
            if (permit != null) {
                connectWith(permit, wait);
            } else {
                result.completeExceptionally(new BackendLoginException(SqlState.TOO_MANY_CONNECTIONS,
                        "pgrouter: the pool of " + address + " is full", Map.of()));
            }
            return;
        }
        ServerBudget.Permit permit = budget.request(poolId(address), wait);
        if (permit != null) {
            connectWith(permit, wait);
        } else {
            waits.add(wait);
        }
    }

    private boolean isPrimary(Endpoint address) {
        return session.cluster().primary().map(p -> p.address().equals(address)).orElse(false);
    }

    private void connectWith(ServerBudget.Permit permit, Wait wait) {
        Endpoint address = wait.address;
        CompletableFuture<Backend> result = wait.result;
        server.connector().connect(session, address, session.security().backendTls().get(address), session.eventLoop(),
                permit).addListener(f -> {
            if (!f.isSuccess()) {
                permit.release();
                result.completeExceptionally(f.cause());
                session.flushAll(); // a connect failure arrives outside the session's callbacks
                return;
            }
            BackendConnection backend = ((Channel) f.getNow()).pipeline().get(BackendConnection.class);
            if (session.isClosing()) {
                backend.close();
                result.completeExceptionally(new IOException("client went away"));
                return;
            }
            wait.connected.accept(backend);
        });
    }

    /** The client left: its requests waiting for a permit leave the queue. */
    void cancelWaits() {
        for (Wait w : List.copyOf(waits)) {
            server.pools().budget().cancel(w); // if granted meanwhile, granted() gives the permit back
        }
        waits.clear();
    }

    /** A request for a connection, queued while its pool is full. Runs on the session's loop. */
    private final class Wait implements ServerBudget.Waiter {
        final Endpoint address;
        final CompletableFuture<Backend> result;
        final ServerPool.Key reusable;
        final Consumer<BackendConnection> connected;

        Wait(Endpoint address, CompletableFuture<Backend> result, ServerPool.Key reusable,
                Consumer<BackendConnection> connected) {
            this.address = address;
            this.result = result;
            this.reusable = reusable;
            this.connected = connected;
        }

        @Override
        public EventLoop loop() {
            return session.eventLoop();
        }

        @Override
        public ServerPool.Key key() {
            return reusable;
        }

        @Override
        public void granted(ServerBudget.Permit permit) {
            waits.remove(this);
            if (session.isClosing()) {
                permit.release();
                result.completeExceptionally(new IOException("client went away"));
                return;
            }
            connectWith(permit, this);
        }

        @Override
        public void handed(BackendConnection connection) {
            waits.remove(this);
            if (session.isClosing()) {
                server.pools().offer(connection, session.eventLoop()); // left while it was on its way
                result.completeExceptionally(new IOException("client went away"));
                return;
            }
            lend(connection);
            result.complete(connection);
            session.flushAll(); // called from another session's callback: this one's writes are flushed here
        }

        @Override
        public void retry() {
            ServerBudget.Permit permit = server.pools().budget().request(poolId(address), this);
            if (permit != null) {
                connectWith(permit, this);
            } else {
                waits.add(this);
            }
        }

        @Override
        public void timedOut(String why) {
            waits.remove(this);
            log.info("session {}: {}", session.id(), why);
            result.completeExceptionally(new BackendLoginException(SqlState.TOO_MANY_CONNECTIONS, why, Map.of()));
            session.flushAll();
        }
    }

    /** Makes a ready backend part of the session, unless the client left meanwhile. */
    private void attach(BackendConnection backend, CompletableFuture<Backend> result) {
        if (session.isClosing()) {
            backend.close();
            result.completeExceptionally(new IOException("client went away"));
            return;
        }
        backends.adopt(backend);
        result.complete(backend);
        session.flushAll();
    }

}
