package io.pgrouter.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 primitives of RFC 5802 section 2.2, on JDK crypto only. Mac and MessageDigest
 * instances are not thread-safe and cheap to get, so each call takes its own.
 */
final class ScramCrypto {
    static final int KEY_LENGTH = 32;
    /** PostgreSQL's default (scram_iterations) and RFC 7677's minimum recommendation. */
    static final int DEFAULT_ITERATIONS = 4096;
    /** PostgreSQL's SCRAM_DEFAULT_SALT_LEN. */
    static final int DEFAULT_SALT_LENGTH = 16;
    /** Random bytes in a nonce; PostgreSQL uses 18, which base64 encodes without padding. */
    static final int NONCE_BYTES = 18;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramCrypto() {
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Hi() of RFC 5802, which is PBKDF2 with HMAC-SHA-256 and a one-block output. */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        // PBEKeySpec takes chars and the JDK's PBKDF2 encodes them as UTF-8, as SCRAM wants.
        char[] chars = SaslPrep.prepare(password).toCharArray();
        try {
            SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return factory.generateSecret(new PBEKeySpec(chars, salt, iterations, KEY_LENGTH * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("xor of " + a.length + " and " + b.length + " bytes");
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** A fresh nonce: printable, no comma, as RFC 5802 requires. */
    static String randomNonce() {
        return base64(randomBytes(NONCE_BYTES));
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Strict base64 (the basic alphabet, padding required); null when malformed. */
    static byte[] unbase64(String text) {
        if (text.length() % 4 != 0) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
