package io.pgrouter.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * PostgreSQL's md5 password scheme: the stored hash is {@code "md5" + hex(md5(password + user))}
 * and on the wire the client sends {@code "md5" + hex(md5(hex(md5(password + user)) + salt))}, where
 * salt is the 4 random bytes of AuthenticationMD5Password.
 */
public final class Md5Password {
    private static final String PREFIX = "md5";
    private static final int HEX_LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private Md5Password() {
    }

    /** True for {@code md5} followed by exactly 32 lowercase hex digits, as PostgreSQL tells them apart. */
    public static boolean isMd5Hash(String secret) {
        if (secret.length() != PREFIX.length() + HEX_LENGTH || !secret.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The hash PostgreSQL stores for this user and password. */
    public static String hash(String user, String password) {
        return PREFIX + HEX.formatHex(md5(bytes(password + user)));
    }

    /** What a client sends in its PasswordMessage for an md5 challenge. */
    public static String encode(String user, String password, byte[] salt) {
        return fromStoredHash(hash(user, password), salt);
    }

    /** The same answer from the stored hash alone: how pgrouter logs into a backend with an md5 authdb entry. */
    public static String fromStoredHash(String storedHash, byte[] salt) {
        if (!isMd5Hash(storedHash)) {
            throw new IllegalArgumentException("not an md5 hash");
        }
        if (salt.length != 4) {
            throw new IllegalArgumentException("md5 salt must be 4 bytes, got " + salt.length);
        }
        byte[] hex = bytes(storedHash.substring(PREFIX.length()));
        byte[] salted = new byte[hex.length + salt.length];
        System.arraycopy(hex, 0, salted, 0, hex.length);
        System.arraycopy(salt, 0, salted, hex.length, salt.length);
        return PREFIX + HEX.formatHex(md5(salted));
    }

    /**
     * Checks a client's md5 answer against the user's secret in constant time. A SCRAM verifier
     * cannot answer an md5 challenge (PostgreSQL runs SCRAM instead for such users), so it fails.
     */
    public static boolean verify(UserSecret secret, String user, byte[] salt, String response) {
        String expected;
        if (secret instanceof UserSecret.Plaintext p) {
            expected = encode(user, p.password(), salt);
        } else if (secret instanceof UserSecret.Md5Hash m) {
            expected = fromStoredHash(m.hash(), salt);
        } else {
            return false;
        }
        return MessageDigest.isEqual(bytes(expected), bytes(response));
    }

    private static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
