package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.pgrouter.core.tls.BackendTls;
import io.pgrouter.core.pool.PoolSettings;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data path's TLS towards a real PostgreSQL: SSLRequest, 'S', then a verified handshake. */
class BackendTlsStartTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static PgCluster tlsCluster;
    static PgCluster plainCluster;
    static EventLoopGroup loop;
    static BackendConnector connector;

    @BeforeAll
    static void start() {
        pki = TestPki.create(dir);
        tlsCluster = PgCluster.builder().replicas(0).tls(pki).start();
        plainCluster = PgCluster.start(0);
        loop = Transport.best().newGroup(1, "test-loop");
        connector = new BackendConnector(Transport.best(), new ConnectionStats(1), 1 << 20,
                io.pgrouter.core.protocol.BufferBudget.UNLIMITED, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        tlsCluster.close();
        plainCluster.close();
    }

    @Test
    void verifyWithTheSigningCaConnectsOverTls() throws Exception {
        Channel channel = connect(tlsCluster, BackendTls.forMode(TlsMode.VERIFY, Optional.of(pki.caCertificate()), "t"))
                .get(10, TimeUnit.SECONDS);
        try {
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            assertNotNull(tls, "TLS is in place before the startup message");
            assertTrue(tls.engine().getSession().getProtocol().startsWith("TLSv1."));
        } finally {
            channel.close().sync();
        }
    }

    @Test
    void verifyRefusesACertificateAnotherCaSigned() throws Exception {
        Throwable failure = connect(tlsCluster, BackendTls.forMode(TlsMode.VERIFY,
                Optional.of(pki.otherCaCertificate()), "t")).await().cause();
        assertInstanceOf(SSLException.class, failure);
        assertTrue(failure.getMessage().contains("TLS handshake with the backend"), failure.getMessage());
    }

    @Test
    void aBackendWithoutTlsIsRefusedWhenTlsIsRequired() throws Exception {
        Throwable failure = connect(plainCluster, BackendTls.forMode(TlsMode.SKIPVERIFY, Optional.empty(), "t"))
                .await().cause();
        assertInstanceOf(SSLException.class, failure);
        assertTrue(failure.getMessage().contains("does not accept TLS"), failure.getMessage());
    }

    private static Future<Channel> connect(PgCluster cluster, Optional<SslContext> tls) {
        Endpoint address = new Endpoint(cluster.primary().host(), cluster.primary().port());
        ClientConnection nobody = new ClientConnection(null); // the handshake never reaches the session
        ServerBudget.Permit permit = new ServerBudget(PoolSettings.DEFAULT, pool -> { })
                .request(new ServerBudget.PoolId(address, "postgres", "postgres"), null);
        return connector.connect(nobody, address, tls.orElseThrow(), loop.next(), permit);
    }
}
