package io.pgrouter.core.tls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA and certificates made with the openssl command in a temporary directory at test
 * time (no key is ever committed). EC P-256 keys: quick to generate. Tests are skipped where no
 * openssl is installed.
 */
final class TestPki {
    final Path dir;
    final Path caCert;
    final Path serverCert;
    final Path serverKey;
    /** Same key as {@link #serverCert}, signed with SHA-384: its channel binding uses SHA-384. */
    final Path serverCertSha384;
    /** A key that belongs to no certificate here. */
    final Path otherKey;
    /** {@link #serverKey} in OpenSSL's traditional "EC PRIVATE KEY" form. */
    final Path traditionalKey;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.serverCert = dir.resolve("server.crt");
        this.serverKey = dir.resolve("server.key");
        this.serverCertSha384 = dir.resolve("server384.crt");
        this.otherKey = dir.resolve("other.key");
        this.traditionalKey = dir.resolve("traditional.key");
    }

    static TestPki create(Path dir) throws Exception {
        assumeTrue(available(), "openssl is not installed");
        TestPki pki = new TestPki(dir);
        String ec = "ec -pkeyopt ec_paramgen_curve:P-256";
        pki.openssl("req -x509 -newkey " + ec + " -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=pgrouter-test-ca"
                + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
        pki.openssl("req -newkey " + ec + " -nodes -keyout server.key -out server.csr -subj /CN=localhost");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                + "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
        pki.openssl("x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256"
                + " -extfile server.ext -out server.crt");
        pki.openssl("x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha384"
                + " -extfile server.ext -out server384.crt");
        pki.openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key");
        pki.openssl("ec -in server.key -out traditional.key");
        return pki;
    }

    /** Runs openssl in the directory; returns its standard output. */
    String openssl(String args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args.split(" ")));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + args + " failed:\n" + output);
        }
        return output;
    }

    private static boolean available() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
