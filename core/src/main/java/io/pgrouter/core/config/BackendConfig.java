package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;

/**
 * One {@code backend HOST:PORT { tls lag weight }}, with the {@code backend default { }} in force
 * where it was declared already applied.
 *
 * @param address where the backend listens
 * @param tls TLS mode towards it (default {@code off})
 * @param lagThreshold {@code lag}: replay lag in bytes above which it serves no reads
 * @param weight {@code weight}: relative share of reads
 * @param location {@code file:line:column} of the declaration
 */
public record BackendConfig(Endpoint address, TlsMode tls, long lagThreshold, int weight, String location) {
}
