package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.pgrouter.core.auth.AuthErrors;
import io.pgrouter.core.auth.AuthenticationException;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.auth.ClientAuthPlan;
import io.pgrouter.core.auth.ClientAuthenticator;
import io.pgrouter.core.auth.HbaRules;
import io.pgrouter.core.auth.UserSecret;
import io.pgrouter.core.tls.ServerTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's login to pgrouter itself, from its StartupMessage to AuthenticationOk: the hba
 * decision, then the exchange the rule and the user's authdb secret call for. Afterwards it holds
 * what logging into backends as that user needs (the secret, and the ClientKey of a SCRAM login).
 *
 * <p>Runs on the client's event loop. Failures are {@link AuthenticationException}s for the
 * caller to report (after its constant delay); the reason is logged here with the client address.
 */
final class ClientLogin {
    private static final Logger log = LoggerFactory.getLogger(ClientLogin.class);

    private final long sessionId;
    private final Channel channel;
    private final String user;
    private final String database;
    private final Optional<UserSecret> secret;
    private final String rule;
    private final ConnectionStats stats;
    private ClientAuthenticator exchange;

    private ClientLogin(long sessionId, Channel channel, String user, String database, Optional<UserSecret> secret,
            String rule, ConnectionStats stats) {
        this.stats = stats;
        this.sessionId = sessionId;
        this.channel = channel;
        this.user = user;
        this.database = database;
        this.secret = secret;
        this.rule = rule;
    }

    /**
     * Applies the hba rules and starts the exchange; the returned login has written its first
     * message (AuthenticationOk at once for trust: then it has {@link #succeeded()}).
     *
     * @throws AuthenticationException when the rules reject the client
     */
    static ClientLogin start(long sessionId, Channel channel, Security security, Map<String, String> startup,
            ConnectionStats stats) {
        String user = startup.get("user");
        String database = startup.getOrDefault("database", user);
        InetAddress address = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        boolean tls = channel.pipeline().get(SslHandler.class) != null;
        HbaRules.Decision decision = security.hba().orElseThrow().match(address, tls, database, user);
        String rule = decision.matched() ? "hba line " + decision.line() : "no hba line";
        AuthenticationException rejected = AuthErrors.forDecision(decision, address.getHostAddress(), user, database, tls);
        if (rejected != null) {
            log.info("session {}: {} rejected for user \"{}\" database \"{}\" ({})", sessionId, address.getHostAddress(),
                    user, database, rule);
            stats.authFailed("hba");
            throw rejected;
        }
        Optional<UserSecret> secret = security.authdb().lookup(user);
        ClientLogin login = new ClientLogin(sessionId, channel, user, database, secret, rule, stats);
        // pgrouter presents one certificate: its binding was computed when the tls block was loaded.
        byte[] binding = tls ? security.clientTls().flatMap(ServerTls::channelBinding).orElse(null) : null;
        login.exchange = new ClientAuthenticator(ClientAuthPlan.choose(decision.method(), secret), user, secret, binding);
        channel.write(login.exchange.begin(channel.alloc()), channel.voidPromise());
        login.logIfDone(decision.method().configName());
        return login;
    }

    /**
     * Takes one client frame (the caller keeps ownership); returns whether the client is now
     * authenticated (AuthenticationOk written).
     *
     * @throws AuthenticationException on a wrong secret
     */
    boolean onMessage(ByteBuf frame) {
        ByteBuf reply;
        try {
            reply = exchange.onMessage(frame, channel.alloc());
        } catch (AuthenticationException e) {
            log.info("session {}: password authentication failed for user \"{}\" from {} ({}; {})", sessionId, user,
                    channel.remoteAddress(), rule, secret.isPresent() ? "wrong secret" : "user not in the authdb");
            stats.authFailed(secret.isPresent() ? "password" : "unknown_user");
            throw e;
        }
        channel.write(reply, channel.voidPromise());
        return logIfDone(null);
    }

    private boolean logIfDone(String method) {
        if (exchange.succeeded()) {
            log.debug("session {}: user \"{}\" database \"{}\" authenticated{} ({})", sessionId, user, database,
                    exchange.channelBound() ? " with channel binding" : method == null ? "" : " by " + method, rule);
        }
        return exchange.succeeded();
    }

    boolean succeeded() {
        return exchange.succeeded();
    }

    /**
     * What logs into a backend as this user: the authdb secret, with the ClientKey of a SCRAM login.
     *
     * @param tlsServerEndPoint the backend certificate's channel binding, when on TLS
     */
    BackendAuthenticator backendAuthenticator(byte[] tlsServerEndPoint) {
        return new BackendAuthenticator(user, secret.orElse(null), exchange.clientKey(), tlsServerEndPoint);
    }

    /**
     * {@link #backendAuthenticator} without this login: what it needs, for logging in as the
     * user later, with no client (a pool kept at {@code min_pool_size}).
     */
    java.util.function.Function<byte[], BackendAuthenticator> backendAuthenticators() {
        String u = user;
        UserSecret s = secret.orElse(null);
        var clientKey = exchange.clientKey();
        return tlsServerEndPoint -> new BackendAuthenticator(u, s, clientKey, tlsServerEndPoint);
    }

    /** For a client pgrouter did not authenticate (its login is relayed to the primary): no secret at all. */
    static BackendAuthenticator withoutSecret(String user, byte[] tlsServerEndPoint) {
        return new BackendAuthenticator(user, null, null, tlsServerEndPoint);
    }
}
