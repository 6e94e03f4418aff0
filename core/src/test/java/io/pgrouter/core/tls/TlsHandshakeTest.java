package io.pgrouter.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import io.pgrouter.spi.cluster.TlsMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes over Netty's in-memory LocalChannel, between contexts built by ServerTls and BackendTls. */
class TlsHandshakeTest {
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static EventLoopGroup group;

    @BeforeAll
    static void setUp() throws Exception {
        pki = TestPki.create(dir);
        group = new DefaultEventLoopGroup(1);
    }

    @AfterAll
    static void tearDown() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ServerTls server(Optional<String> ciphers) {
        return ServerTls.load(pki.serverCert, pki.serverKey, ciphers, "test.conf:1:1");
    }

    private static SslContext backend(TlsMode mode, Optional<Path> ca) {
        return BackendTls.forMode(mode, ca, "test.conf:2:1").orElseThrow();
    }

    /** Connects a client with {@code client} (for host name {@code host}) to a server with {@code server}. */
    private static SSLSession handshake(SslContext server, SslContext client, String host) throws Throwable {
        LocalAddress address = new LocalAddress("pgrouter-tls-" + UUID.randomUUID());
        Channel listener = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(server.newHandler(ch.alloc()));
                    }
                }).bind(address).sync().channel();
        try {
            // Kept here, not looked up in the pipeline: a refused handshake can close the channel,
            // and empty its pipeline, before the lookup would run.
            java.util.concurrent.atomic.AtomicReference<SslHandler> handler = new java.util.concurrent.atomic.AtomicReference<>();
            Channel channel = new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            handler.set(client.newHandler(ch.alloc(), host, 5432));
                            ch.pipeline().addLast(handler.get());
                        }
                    }).connect(address).sync().channel();
            try {
                SslHandler ssl = handler.get();
                Future<Channel> done = ssl.handshakeFuture();
                assertTrue(done.await(10, TimeUnit.SECONDS), "handshake must finish, not hang");
                if (!done.isSuccess()) {
                    throw done.cause();
                }
                return ssl.engine().getSession();
            } finally {
                channel.close().sync();
            }
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void verifyAcceptsTheRightHostSignedByTheConfiguredCa() throws Throwable {
        ServerTls server = server(Optional.empty());
        SSLSession session = handshake(server.context(), backend(TlsMode.VERIFY, Optional.of(pki.caCert)), "localhost");
        assertEquals("TLSv1.3", session.getProtocol());
        // Both ends compute the same tls-server-end-point data: SCRAM-SHA-256-PLUS will agree.
        assertArrayEquals(server.channelBinding().orElseThrow(),
                ChannelBindings.forPeerCertificate(session).orElseThrow());
    }

    @Test
    void verifyAcceptsAnIpAddressInTheCertificate() throws Throwable {
        handshake(server(Optional.empty()).context(), backend(TlsMode.VERIFY, Optional.of(pki.caCert)), "127.0.0.1");
    }

    @Test
    void verifyRejectsAHostNameMismatch() {
        SslContext client = backend(TlsMode.VERIFY, Optional.of(pki.caCert));
        Throwable failure = assertThrows(Throwable.class,
                () -> handshake(server(Optional.empty()).context(), client, "db.example.com"));
        assertInstanceOf(SSLHandshakeException.class, failure);
        assertTrue(failure.getMessage().contains("db.example.com"), "fails on the name, not the chain: " + failure);
    }

    @Test
    void verifyWithTheDefaultTrustStoreRejectsATestCa() {
        SslContext client = backend(TlsMode.VERIFY, Optional.empty());
        assertThrows(SSLHandshakeException.class,
                () -> handshake(server(Optional.empty()).context(), client, "localhost"));
    }

    @Test
    void skipverifyAcceptsAnyHost() throws Throwable {
        SSLSession session = handshake(server(Optional.empty()).context(), backend(TlsMode.SKIPVERIFY, Optional.empty()),
                "db.example.com");
        assertEquals("TLSv1.3", session.getProtocol());
    }

    @Test
    void offIsNoContext() {
        assertTrue(BackendTls.forMode(TlsMode.OFF, Optional.empty(), "x").isEmpty());
    }

    @Test
    void serverCipherListIsHonoured() throws Throwable {
        String only = "ECDHE-ECDSA-AES256-GCM-SHA384:!TLS_AES_128_GCM_SHA256:!TLS_AES_256_GCM_SHA384"
                + ":!TLS_CHACHA20_POLY1305_SHA256";
        ServerTls server = server(Optional.of(only));
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), server.cipherSuites());
        SSLSession session = handshake(server.context(), backend(TlsMode.SKIPVERIFY, Optional.empty()), "localhost");
        assertEquals("TLSv1.2", session.getProtocol());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", session.getCipherSuite());

        SslContext weakClient = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
                .protocols("TLSv1.2").ciphers(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA")).build();
        assertThrows(SSLHandshakeException.class, () -> handshake(server.context(), weakClient, "localhost"));
    }

    @Test
    void tls11ClientIsRefused() throws Exception {
        SslContext old = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
                .protocols("TLSv1.1").build();
        assertThrows(Throwable.class, () -> handshake(server(Optional.empty()).context(), old, "localhost"));
    }
}
