package io.pgrouter.spi.monitor;

import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;

/**
 * One server connection pool (the connections to one backend for one database and user) as the
 * monitor and {@code pgrouter-cli pools} show it.
 *
 * @param address the backend
 * @param database the database its connections are logged in to
 * @param user the user they are logged in as
 * @param active connections lent to a session (or being opened for one)
 * @param idle connections waiting in a worker's idle cache
 * @param waiting clients waiting for a connection of this pool
 * @param longestWait how long the longest-waiting of them has waited (zero with none)
 */
public record PoolStats(Endpoint address, String database, String user, int active, int idle, int waiting,
        Duration longestWait) {
}
