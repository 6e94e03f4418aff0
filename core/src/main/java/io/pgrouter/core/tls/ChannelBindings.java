package io.pgrouter.core.tls;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The {@code tls-server-end-point} channel binding of RFC 5929 section 4.1, the one PostgreSQL
 * uses for SCRAM-SHA-256-PLUS: a hash of the server's DER certificate, with the hash function of
 * the certificate's signature, except that MD5 and SHA-1 are replaced by SHA-256.
 *
 * <p>Empty when the signature names no single hash (Ed25519, Ed448): like PostgreSQL, pgrouter then
 * does not offer channel binding.
 */
public final class ChannelBindings {
    private ChannelBindings() {
    }

    public static Optional<byte[]> tlsServerEndPoint(X509Certificate certificate) {
        Optional<String> hash = hashFor(certificate);
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MessageDigest.getInstance(hash.get()).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** For pgrouter as the server: the binding of its own certificate on this session. */
    public static Optional<byte[]> forLocalCertificate(SSLSession session) {
        return first(session.getLocalCertificates());
    }

    /** For pgrouter as a backend's client: the binding of the backend's certificate. */
    public static Optional<byte[]> forPeerCertificate(SSLSession session) {
        try {
            return first(session.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> first(Certificate[] chain) {
        return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x
                ? tlsServerEndPoint(x) : Optional.empty();
    }

    /** The JDK digest name RFC 5929 asks for, from the certificate's signature algorithm. */
    static Optional<String> hashFor(X509Certificate certificate) {
        String sig = certificate.getSigAlgName().toUpperCase(Locale.ROOT);
        if (sig.equals("RSASSA-PSS")) {
            return pssHash(certificate.getSigAlgParams());
        }
        if (sig.startsWith("MD5") || sig.startsWith("SHA1") || sig.startsWith("SHA256")) {
            return Optional.of("SHA-256");
        }
        if (sig.startsWith("SHA224")) {
            return Optional.of("SHA-224");
        }
        if (sig.startsWith("SHA384")) {
            return Optional.of("SHA-384");
        }
        if (sig.startsWith("SHA512")) {
            return Optional.of("SHA-512");
        }
        return Optional.empty();
    }

    private static Optional<String> pssHash(byte[] encodedParams) {
        if (encodedParams == null) {
            return Optional.empty();
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
            params.init(encodedParams);
            String digest = params.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm();
            String upper = digest.toUpperCase(Locale.ROOT).replace("-", "");
            return Optional.of(upper.equals("SHA1") ? "SHA-256" : digest);
        } catch (GeneralSecurityException | java.io.IOException e) {
            return Optional.empty();
        }
    }
}
