package io.pgrouter.core.config;

import io.pgrouter.core.protocol.BufferBudget;
import java.time.Duration;

/**
 * What one client may cost pgrouter, so that no client can exhaust it.
 *
 * @param maxClients client connections served at once ({@code max_clients}, default 10000);
 *     beyond it a client gets 53300 too_many_connections
 * @param maxMessageSize the largest protocol message accepted from a client or backend
 *     ({@code max_message_size}, default {@code max_buffered}, at most 1gb, PostgreSQL's own limit)
 * @param authenticationTimeout bound on the startup phase, from connect until the session's
 *     pipeline starts ({@code authentication_timeout}, default 60s as in PostgreSQL)
 * @param connectTimeout bound on opening a backend connection ({@code connect_timeout}, default 5s)
 * @param maxBuffered bytes that messages held whole may take across all sessions
 *     ({@code max_buffered}, default half the JVM's direct-memory limit: {@link BufferBudget#defaultMax()})
 */
public record Limits(int maxClients, int maxMessageSize, Duration authenticationTimeout, Duration connectTimeout,
        long maxBuffered) {
    /** PostgreSQL's own limit on a message, and the largest {@code max_message_size}. */
    public static final int LARGEST_MESSAGE = 1 << 30;
    public static final Limits DEFAULT = new Limits(10_000, defaultMaxMessageSize(BufferBudget.defaultMax()),
            Duration.ofSeconds(60), Duration.ofSeconds(5), BufferBudget.defaultMax());

    /** Sized to the budget: a message larger than {@code max_buffered} could never be held anyway. */
    public static int defaultMaxMessageSize(long maxBuffered) {
        return (int) Math.min(LARGEST_MESSAGE, maxBuffered);
    }
}
