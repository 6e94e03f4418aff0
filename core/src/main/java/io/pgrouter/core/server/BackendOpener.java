package io.pgrouter.core.server;

import io.netty.channel.Channel;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a session gets its backend connections: opened bare ({@code connect}), logged into as the
 * client's user ({@code login}), taken from the event loop's pool ({@code acquire}), or relayed to
 * the primary ({@code relayToPrimary}). Runs on the session's event loop; every stage completes
 * there.
 */
final class BackendOpener {
    private static final Logger log = LoggerFactory.getLogger(BackendOpener.class);

    private final ClientConnection session;
    private final ServerContext server;
    private ServerPool.Key lastKey;

    BackendOpener(ClientConnection session, ServerContext server) {
        this.session = session;
        this.server = server;
    }

    CompletionStage<Backend> connect(Endpoint address) {
        CompletableFuture<Backend> result = new CompletableFuture<>();
        openBackend(address, result, backend -> attach(backend, result));
        return result;
    }

    CompletionStage<Backend> login(Endpoint address) {
        CompletableFuture<Backend> result = new CompletableFuture<>();
        openBackend(address, result, backend -> logIn(backend, false, result));
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
        BackendConnection idle = takeIdle(address);
        return idle != null ? CompletableFuture.completedFuture(idle) : loginForPool(address);
    }

    /** A new connection, logged in as the client's user, that can go to the pool afterwards. */
    private CompletionStage<Backend> loginForPool(Endpoint address) {
        ServerPool.Key key = poolKey(address);
        CompletableFuture<Backend> result = new CompletableFuture<>();
        login(address).whenComplete((backend, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                ((BackendConnection) backend).poolKey(key);
                result.complete(backend);
            }
        });
        return result;
    }

    /** An idle pooled connection to the address, now the session's; null if there is none. */
    private BackendConnection takeIdle(Endpoint address) {
        BackendConnection idle = server.pools().of(session.eventLoop()).take(poolKey(address));
        if (idle != null) {
            idle.adoptBy(session);
            session.adopt(idle);
        }
        return idle;
    }

    /** The session's pool key for the address: the same object for the same address. */
    private ServerPool.Key poolKey(Endpoint address) {
        if (lastKey == null || !lastKey.address().equals(address)) {
            lastKey = new ServerPool.Key(address, session.startup().parameters());
        }
        return lastKey;
    }

    void release(Backend backend) {
        BackendConnection b = (BackendConnection) backend;
        if (!session.disown(b) || b.poolKey() == null || !b.isOpen()) {
            b.close();
            return;
        }
        b.parkIn(server.pools().of(session.eventLoop()));
    }

    CompletionStage<Backend> relayToPrimary() {
        Endpoint address = primaryOrFail();
        if (address == null) {
            return CompletableFuture.failedFuture(new IOException("no primary backend is available"));
        }
        CompletableFuture<Backend> result = failSessionOnError(address);
        openBackend(address, result, backend -> {
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
        BackendConnection idle = takeIdle(address); // the common case, once per transaction
        if (idle != null) {
            return CompletableFuture.completedFuture(idle);
        }
        CompletableFuture<Backend> result = failSessionOnError(address);
        loginForPool(address).whenComplete((backend, error) -> {
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
        Optional<BackendState> target = session.cluster().primary();
        if (target.isEmpty()) {
            session.fail(SqlState.CANNOT_CONNECT_NOW, "pgrouter: no primary backend is available");
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

    /** Connects on this session's loop and hands the connection on, or fails {@code result}. */
    private void openBackend(Endpoint address, CompletableFuture<Backend> result,
            Consumer<BackendConnection> connected) {
        server.connector().connect(session, address, session.security().backendTls().get(address), session.eventLoop()).addListener(f -> {
            if (!f.isSuccess()) {
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
            connected.accept(backend);
        });
    }

    /** Makes a ready backend part of the session, unless the client left meanwhile. */
    private void attach(BackendConnection backend, CompletableFuture<Backend> result) {
        if (session.isClosing()) {
            backend.close();
            result.completeExceptionally(new IOException("client went away"));
            return;
        }
        session.adopt(backend);
        result.complete(backend);
        session.flushAll();
    }

}
