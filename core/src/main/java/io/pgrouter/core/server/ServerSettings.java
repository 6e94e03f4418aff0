package io.pgrouter.core.server;

import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;

/**
 * What the data path needs to know, taken out of the configuration so that the server can be
 * started and tested without a config file.
 *
 * @param listen where clients connect
 * @param workers event loop threads
 * @param maxMessageSize the largest protocol message accepted from a client or a backend
 * @param connectTimeout bound on opening a backend connection
 * @param maxClients client connections served at once
 * @param startupTimeout bound on the startup phase of a client connection
 * @param maxBuffered bytes that messages held whole may take across all connections
 */
public record ServerSettings(Endpoint listen, int workers, int maxMessageSize, Duration connectTimeout,
        int maxClients, Duration startupTimeout, long maxBuffered) {
}
