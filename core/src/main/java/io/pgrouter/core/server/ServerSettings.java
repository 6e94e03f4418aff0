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
 */
public record ServerSettings(Endpoint listen, int workers, int maxMessageSize, Duration connectTimeout) {
    /** PostgreSQL refuses messages over 1 GB itself; we accept as much. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = (1 << 30) - 1;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
}
