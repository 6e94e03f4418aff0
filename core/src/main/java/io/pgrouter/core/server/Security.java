package io.pgrouter.core.server;

import io.netty.handler.ssl.SslContext;
import io.pgrouter.core.auth.AuthDb;
import io.pgrouter.core.auth.HbaRules;
import io.pgrouter.core.tls.ServerTls;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.Map;
import java.util.Optional;

/**
 * Who may connect and how traffic is protected: the hba rules and authdb pgrouter checks clients
 * against, the TLS it offers clients, and the TLS it uses towards each backend. Immutable; a
 * reload builds a new one and new connections pick it up, sessions keep the one they started with.
 *
 * @param hba the access rules; empty when pgrouter does not authenticate clients itself, in
 *     which case the primary does (the client's login is relayed to it)
 * @param authdb users and their secrets, for clients and for logging into backends
 * @param clientTls what an SSLRequest is answered with 'S' for; empty answers 'N'
 * @param backendTls the client context per backend whose {@code tls} is not {@code off}
 */
public record Security(Optional<HbaRules> hba, AuthDb authdb, Optional<ServerTls> clientTls,
        Map<Endpoint, SslContext> backendTls) {
    /** No own authentication, no TLS: the primary authenticates clients. */
    public static final Security NONE = new Security(Optional.empty(), AuthDb.parse("", "none"), Optional.empty(), Map.of());

    public Security {
        backendTls = Map.copyOf(backendTls);
    }

    /** Whether pgrouter authenticates clients itself (with an {@code hba} or an {@code authdb}). */
    public boolean authenticatesClients() {
        return hba.isPresent();
    }
}
