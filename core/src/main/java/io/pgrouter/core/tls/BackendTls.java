package io.pgrouter.core.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS from pgrouter to a backend, per the backend's {@code tls off | verify | skipverify}.
 *
 * <p>{@code verify} checks the chain against the CA file (or the JDK's default trust store) and the
 * host name against the certificate (SAN DNS or IP entries, as HTTPS does; like libpq's
 * verify-full). The host name is what the handler is made with, so the connection code must use
 * {@code context.newHandler(alloc, host, port)}, never the one-argument form. {@code skipverify}
 * encrypts without checking who answers.
 *
 * <p>PostgreSQL starts TLS only after an SSLRequest answered 'S': the handler goes in the pipeline
 * at that point, not when the socket connects.
 */
public final class BackendTls {
    private BackendTls() {
    }

    /**
     * The client context for a mode; empty for {@code off}. Build once per (mode, CA file) and share:
     * contexts are thread-safe.
     *
     * @param caFile PEM CA certificates to trust for {@code verify}; empty for the JDK's trust store
     * @param location {@code file:line:column} of the backend's tls setting, for errors
     */
    public static Optional<SslContext> forMode(TlsMode mode, Optional<Path> caFile, String location) {
        if (mode == TlsMode.OFF) {
            return Optional.empty();
        }
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(ServerTls.PROTOCOLS);
        if (mode == TlsMode.SKIPVERIFY) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            if (caFile.isPresent()) {
                try {
                    builder.trustManager(PemFiles.certificates(caFile.get()));
                } catch (IOException e) {
                    throw new ConfigException(location, "tls verify: CA file: " + e.getMessage());
                }
            }
            builder.endpointIdentificationAlgorithm("HTTPS");
        }
        try {
            return Optional.of(builder.build());
        } catch (SSLException e) {
            throw new ConfigException(location, "tls " + mode.configName() + ": " + e.getMessage());
        }
    }
}
