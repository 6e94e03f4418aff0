package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One {@code backend HOST:PORT { tls lag weight ca }}, with the {@code backend default { }} in force
 * where it was declared already applied.
 *
 * @param address where the backend listens
 * @param tls TLS mode towards it (default {@code off})
 * @param lagThreshold {@code lag}: replay lag in bytes above which it serves no reads
 * @param weight {@code weight}: relative share of reads
 * @param ca {@code ca}: PEM file of the CA certificates {@code tls verify} trusts; without it,
 *     the JDK's trust store
 * @param location {@code file:line:column} of the declaration
 */
public record BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, int weight, Optional<Path> ca,
        String location) {
    /** A backend trusting the JDK's CAs (or using no TLS). */
    public BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, int weight, String location) {
        this(address, tls, lagThreshold, weight, Optional.empty(), location);
    }
}
