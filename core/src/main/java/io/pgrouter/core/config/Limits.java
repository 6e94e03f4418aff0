package io.pgrouter.core.config;

import java.time.Duration;

/**
 * What one client may cost pgrouter, so that no client can exhaust it.
 *
 * @param maxClients client connections served at once ({@code max_clients}, default 10000);
 *     beyond it a client gets 53300 too_many_connections
 * @param maxMessageSize the largest protocol message accepted from a client or backend
 *     ({@code max_message_size}, default 1gb, PostgreSQL's own limit)
 * @param authenticationTimeout bound on the startup phase, from connect until the session's
 *     pipeline starts ({@code authentication_timeout}, default 60s as in PostgreSQL)
 * @param connectTimeout bound on opening a backend connection ({@code connect_timeout}, default 5s)
 */
public record Limits(int maxClients, int maxMessageSize, Duration authenticationTimeout, Duration connectTimeout) {
    public static final Limits DEFAULT = new Limits(10_000, 1 << 30, Duration.ofSeconds(60), Duration.ofSeconds(5));
}
