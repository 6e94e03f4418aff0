package io.pgrouter.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
    @TempDir
    static Path dir;
    private static TestPki pki;

    @BeforeAll
    static void setUp() throws Exception {
        pki = TestPki.create(dir);
    }

    private static ConfigException error(Path cert, Path key, String ciphers) {
        return assertThrows(ConfigException.class,
                () -> ServerTls.load(cert, key, Optional.ofNullable(ciphers), "pgrouter.conf:12:1"));
    }

    @Test
    void seedCipherStringIsUnderstood() {
        ServerTls tls = ServerTls.load(pki.serverCert, pki.serverKey, Optional.of("ALL:!EXP:!LOW"), "x:1:1");
        assertTrue(tls.cipherSuites().contains("TLS_AES_128_GCM_SHA256"));
        assertTrue(tls.cipherSuites().contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        assertFalse(tls.cipherSuites().stream().anyMatch(s -> s.contains("_WITH_DES_") || s.contains("NULL")));
    }

    @Test
    void badCipherKeywordIsAConfigErrorAtTheBlock() {
        ConfigException e = error(pki.serverCert, pki.serverKey, "HIGH:!BOGUS");
        assertEquals("pgrouter.conf:12:1", e.location());
        assertEquals("tls ciphers: unknown cipher keyword, or a suite this JDK does not support: \"BOGUS\"", e.problem());
    }

    @Test
    void keyMustBelongToTheCertificate() {
        assertTrue(error(pki.serverCert, pki.otherKey, null).problem().contains("does not belong to certificate"));
    }

    @Test
    void traditionalKeyGetsAConversionHint() {
        ConfigException e = error(pki.serverCert, pki.traditionalKey, null);
        assertTrue(e.problem().contains("OpenSSL's traditional format"), e.problem());
        assertTrue(e.problem().contains("openssl pkcs8 -topk8 -nocrypt"), e.problem());
    }

    @Test
    void missingOrWrongFilesAreConfigErrors() throws Exception {
        assertTrue(error(dir.resolve("nope.crt"), pki.serverKey, null).problem().startsWith("tls: "));
        Path junk = Files.writeString(dir.resolve("junk.crt"), "not a certificate\n");
        assertTrue(error(junk, pki.serverKey, null).problem().contains("junk.crt"));
        ConfigException ca = assertThrows(ConfigException.class,
                () -> BackendTls.forMode(TlsMode.VERIFY, Optional.of(junk), "pgrouter.conf:30:5"));
        assertEquals("pgrouter.conf:30:5", ca.location());
    }

    @Test
    void channelBindingIsTheSha256OfTheDerCertificate() throws Exception {
        ServerTls tls = ServerTls.load(pki.serverCert, pki.serverKey, Optional.empty(), "x:1:1");
        String fingerprint = pki.openssl("x509 -in server.crt -noout -fingerprint -sha256");
        byte[] expected = HexFormat.of().parseHex(fingerprint.substring(fingerprint.indexOf('=') + 1).trim().replace(":", ""));
        assertArrayEquals(expected, tls.channelBinding().orElseThrow());
    }

    @Test
    void channelBindingFollowsTheSignatureHash() throws Exception {
        X509Certificate sha384 = PemFiles.certificates(pki.serverCertSha384).get(0);
        assertEquals("SHA384withECDSA", sha384.getSigAlgName());
        byte[] binding = ChannelBindings.tlsServerEndPoint(sha384).orElseThrow();
        assertArrayEquals(MessageDigest.getInstance("SHA-384").digest(sha384.getEncoded()), binding);
    }
}
