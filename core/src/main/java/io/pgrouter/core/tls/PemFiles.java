package io.pgrouter.core.tls;

import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and unencrypted PKCS#8 keys with the JDK alone, with messages an operator
 * can act on (the usual trap being an OpenSSL "traditional" key, which needs one conversion).
 */
final class PemFiles {
    private static final Pattern CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----");
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    /**
     * The certificates in a PEM file, leaf first; at least one. Other blocks are skipped, so one
     * file may hold the certificate chain and its key (as the seed sample's {@code cert} and
     * {@code key} both name {@code /path/to/pem}).
     */
    static List<X509Certificate> certificates(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher blocks = CERTIFICATE.matcher(text);
        try {
            List<X509Certificate> out = new ArrayList<>();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (blocks.find()) {
                byte[] pem = blocks.group().getBytes(StandardCharsets.US_ASCII);
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(pem)));
            }
            if (out.isEmpty()) {
                throw new IOException(file + " holds no PEM certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** An unencrypted PKCS#8 private key (RSA, EC, Ed25519/Ed448 or RSASSA-PSS). */
    static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted"
                    : text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? "it is in OpenSSL's traditional format" : "no \"BEGIN PRIVATE KEY\" block";
            throw new IOException(file + " is not an unencrypted PKCS#8 PEM key (" + hint
                    + "); convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + " holds a private key of an unsupported type");
    }

    /** Whether the key belongs to the certificate: a mismatch would otherwise show only at the first handshake. */
    static boolean keyMatches(PrivateKey key, PublicKey certKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm().equals("Ed448") ? "Ed448" : "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // cannot tell cheaply (RSASSA-PSS parameters): the handshake will
        }
        try {
            byte[] probe = "pgrouter key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
