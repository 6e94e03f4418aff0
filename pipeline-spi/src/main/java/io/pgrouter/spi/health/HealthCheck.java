package io.pgrouter.spi.health;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Probes one backend. The watcher calls {@link #probe} on its own threads, for all backends at
 * once on every {@code check} interval, so implementations must be thread-safe. A probe may
 * block; it should give up by {@code timeout}, and the watcher abandons it at that point anyway.
 */
public interface HealthCheck extends AutoCloseable {
    /**
     * Asks the backend what it is and how far its WAL has got.
     *
     * @throws Exception when the backend cannot be reached or does not answer sensibly; the
     *     watcher marks it FAILED with the exception's message
     */
    Probe probe(Endpoint backend, TlsMode tls, Duration timeout) throws Exception;

    /**
     * The same, for a backend whose {@code tls verify} trusts the CA certificates in
     * {@code trustedCa} (a PEM file) rather than the JVM's trust store. The watcher calls this one;
     * health checks that do not speak TLS themselves need not override it.
     */
    default Probe probe(Endpoint backend, TlsMode tls, Optional<Path> trustedCa, Duration timeout) throws Exception {
        return probe(backend, tls, timeout);
    }

    /**
     * The WAL position a replica has replayed ({@code pg_last_wal_replay_lsn() - '0/0'}), for
     * read-your-writes. Called far more often than {@link #probe} (every {@code replay_check},
     * milliseconds apart) from the position probe's threads, never twice at once for one backend,
     * so it should be one cheap query on a connection kept for it. Empty when the check cannot
     * tell (the default): sessions then learn positions only from their own replica connections.
     */
    default java.util.OptionalLong replayPosition(Endpoint backend, TlsMode tls, Optional<Path> trustedCa,
            Duration timeout) throws Exception {
        return java.util.OptionalLong.empty();
    }

    /** Releases connections kept between probes. Called at shutdown or when replaced by a reload. */
    @Override
    default void close() {
    }
}
