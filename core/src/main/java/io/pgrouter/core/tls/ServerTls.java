package io.pgrouter.core.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.pgrouter.core.config.TlsConfig;
import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * TLS offered to clients, from the {@code tls { ciphers cert key }} block: a server
 * {@link SslContext} on the JDK provider, TLS 1.3 and 1.2 only, with the cipher suites the
 * {@code ciphers} string selects (see {@link CipherList}) or the JDK's defaults.
 *
 * <p>Everything is checked at load, so that {@code pgrouter -t} reports it: readable PEM files, a
 * PKCS#8 key that belongs to the certificate, a cipher string that leaves something enabled.
 * Immutable; a reload builds a new one and new connections pick it up.
 */
public final class ServerTls {
    /** Protocols offered: TLS 1.3 and 1.2 only, strongest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SslContext context;
    private final List<String> cipherSuites;
    private final byte[] channelBinding;

    private ServerTls(SslContext context, List<String> cipherSuites, byte[] channelBinding) {
        this.context = context;
        this.cipherSuites = cipherSuites;
        this.channelBinding = channelBinding;
    }

    public static ServerTls load(TlsConfig config) {
        return load(config.cert(), config.key(), config.ciphers(), config.location());
    }

    /**
     * @param location {@code file:line:column} of the tls block, for errors
     * @throws ConfigException on any problem with the files or the cipher string
     */
    public static ServerTls load(Path certFile, Path keyFile, Optional<String> ciphers, String location) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.certificates(certFile);
            key = PemFiles.privateKey(keyFile);
        } catch (IOException e) {
            throw new ConfigException(location, "tls: " + e.getMessage());
        }
        if (!PemFiles.keyMatches(key, chain.get(0).getPublicKey())) {
            throw new ConfigException(location, "tls: key " + keyFile + " does not belong to certificate " + certFile);
        }
        List<String> suites;
        try {
            SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(null, null, null);
            List<String> supported = Arrays.asList(jdk.getSupportedSSLParameters().getCipherSuites());
            List<String> defaults = Arrays.asList(jdk.getDefaultSSLParameters().getCipherSuites());
            suites = CipherList.resolve(ciphers.orElse("DEFAULT"), supported, defaults);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(location, "tls ciphers: " + e.getMessage());
        } catch (NoSuchAlgorithmException | java.security.KeyManagementException e) {
            throw new IllegalStateException("the JDK offers no TLS", e);
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(suites)
                    .clientAuth(ClientAuth.NONE)
                    .build();
            byte[] binding = ChannelBindings.tlsServerEndPoint(chain.get(0)).orElse(null);
            return new ServerTls(context, suites, binding);
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(location, "tls: cannot build a TLS context: " + e.getMessage());
        }
    }

    /** For the SSLRequest 'S' path: {@code context().newHandler(channel.alloc())} goes first in the pipeline. */
    public SslContext context() {
        return context;
    }

    /** The suites enabled, in preference order. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * The tls-server-end-point data of pgrouter's certificate, for {@code ScramServerSession}
     * (which then offers SCRAM-SHA-256-PLUS); empty when the certificate's signature has no
     * defined hash.
     */
    public Optional<byte[]> channelBinding() {
        return Optional.ofNullable(channelBinding).map(byte[]::clone);
    }
}
