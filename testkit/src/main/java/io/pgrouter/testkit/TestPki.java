package io.pgrouter.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway certificate authority for TLS tests, made with the openssl command at test time
 * (no key is ever committed): a CA, a server certificate for {@code localhost} and
 * {@code 127.0.0.1} signed by it, and a second CA that signed nothing (to show a wrong trust
 * anchor is refused). EC P-256 keys in PKCS#8, quick to make.
 */
public final class TestPki {
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** Makes the files in {@code dir} (which must exist). */
    public static TestPki create(Path dir) {
        TestPki pki = new TestPki(dir);
        String ec = "ec -pkeyopt ec_paramgen_curve:P-256";
        String caExtensions = " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
        pki.openssl("req -x509 -newkey " + ec + " -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=pgrouter-test-ca"
                + caExtensions);
        pki.openssl("req -x509 -newkey " + ec + " -nodes -keyout other-ca.key -out other-ca.crt -days 2"
                + " -subj /CN=pgrouter-other-ca" + caExtensions);
        pki.openssl("req -newkey " + ec + " -nodes -keyout server.key -out server.csr -subj /CN=localhost");
        try {
            Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    + "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        pki.openssl("x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256"
                + " -extfile server.ext -out server.crt");
        return pki;
    }

    /** The CA that signed {@link #serverCertificate()}, in PEM. */
    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** A CA that signed nothing here. */
    public Path otherCaCertificate() {
        return dir.resolve("other-ca.crt");
    }

    /** A certificate for localhost and 127.0.0.1, signed by {@link #caCertificate()}. */
    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    /** The key of {@link #serverCertificate()}: unencrypted PKCS#8 PEM. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    private void openssl(String args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args.split(" ")));
        ProcessResult r = PgTools.run(OPENSSL_TIMEOUT, Map.of(), dir, command.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("openssl " + args + " failed:\n" + r.output());
        }
    }
}
