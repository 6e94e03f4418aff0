package io.pgrouter.core.auth;

import java.util.Arrays;
import java.util.Objects;

/**
 * A SCRAM-SHA-256 verifier as PostgreSQL stores it in {@code pg_authid.rolpassword}:
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, base64 throughout. It lets a
 * server check a client's proof and prove itself, but not log in anywhere: that takes the
 * ClientKey, which only a client's proof reveals.
 */
public final class ScramVerifier {
    static final String PREFIX = "SCRAM-SHA-256$";

    private final int iterations;
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;

    private ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        this.iterations = iterations;
        this.salt = salt;
        this.storedKey = storedKey;
        this.serverKey = serverKey;
    }

    /** Thrown by {@link #parse}; {@link #offset()} is where in the text the problem starts. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        FormatException(int offset, String message) {
            super(message, null, false, false);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    /** Whether {@code secret} claims to be a SCRAM-SHA-256 verifier (and must then parse). */
    public static boolean looksLikeVerifier(String secret) {
        return secret.startsWith(PREFIX);
    }

    /** Parses PostgreSQL's text form, checking every part. */
    public static ScramVerifier parse(String text) throws FormatException {
        if (!looksLikeVerifier(text)) {
            throw new FormatException(0, "SCRAM verifier must start with " + PREFIX);
        }
        int iterStart = PREFIX.length();
        int colon1 = text.indexOf(':', iterStart);
        int dollar = colon1 < 0 ? -1 : text.indexOf('$', colon1);
        int colon2 = dollar < 0 ? -1 : text.indexOf(':', dollar);
        if (colon1 < 0 || dollar < 0 || colon2 < 0) {
            throw new FormatException(iterStart,
                    "SCRAM verifier must look like SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(text.substring(iterStart, colon1));
        } catch (NumberFormatException e) {
            iterations = 0;
        }
        if (iterations <= 0) {
            throw new FormatException(iterStart, "SCRAM iteration count must be a positive integer");
        }
        byte[] salt = ScramCrypto.unbase64(text.substring(colon1 + 1, dollar));
        if (salt == null || salt.length == 0) {
            throw new FormatException(colon1 + 1, "SCRAM salt is not valid base64");
        }
        byte[] stored = key(text.substring(dollar + 1, colon2), dollar + 1, "StoredKey");
        byte[] server = key(text.substring(colon2 + 1), colon2 + 1, "ServerKey");
        return new ScramVerifier(iterations, salt, stored, server);
    }

    private static byte[] key(String base64, int offset, String what) throws FormatException {
        byte[] key = ScramCrypto.unbase64(base64);
        if (key == null || key.length != ScramCrypto.KEY_LENGTH) {
            throw new FormatException(offset, "SCRAM " + what + " must be " + ScramCrypto.KEY_LENGTH
                    + " bytes in base64");
        }
        return key;
    }

    /** The verifier PostgreSQL would store for {@code password} with this salt and iteration count. */
    public static ScramVerifier derive(String password, byte[] salt, int iterations) {
        if (iterations <= 0 || salt.length == 0) {
            throw new IllegalArgumentException("iterations and salt must be positive");
        }
        byte[] salted = ScramCrypto.saltedPassword(password, salt, iterations);
        byte[] clientKey = ScramCrypto.clientKey(salted);
        return new ScramVerifier(iterations, salt.clone(), ScramCrypto.sha256(clientKey),
                ScramCrypto.serverKey(salted));
    }

    /** A verifier for {@code password} with a fresh random salt and 4096 iterations (PostgreSQL's defaults). */
    public static ScramVerifier derive(String password) {
        return derive(password, ScramCrypto.randomBytes(ScramCrypto.DEFAULT_SALT_LENGTH),
                ScramCrypto.DEFAULT_ITERATIONS);
    }

    static ScramVerifier of(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        return new ScramVerifier(iterations, salt.clone(), storedKey.clone(), serverKey.clone());
    }

    public int iterations() {
        return iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Same salt and iteration count: a ClientKey recovered against one works with the other. */
    public boolean sameSaltAndIterations(byte[] otherSalt, int otherIterations) {
        return iterations == otherIterations && Arrays.equals(salt, otherSalt);
    }

    // Package-private accessors without copies for the session classes.
    byte[] saltRef() {
        return salt;
    }

    byte[] storedKeyRef() {
        return storedKey;
    }

    byte[] serverKeyRef() {
        return serverKey;
    }

    /** The text form PostgreSQL stores. */
    public String format() {
        return PREFIX + iterations + ":" + ScramCrypto.base64(salt) + "$" + ScramCrypto.base64(storedKey)
                + ":" + ScramCrypto.base64(serverKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramVerifier v && iterations == v.iterations && Arrays.equals(salt, v.salt)
                && Arrays.equals(storedKey, v.storedKey) && Arrays.equals(serverKey, v.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey));
    }

    /** Shows the salt and iterations only: the keys are secrets. */
    @Override
    public String toString() {
        return "ScramVerifier[iterations=" + iterations + ", salt=" + ScramCrypto.base64(salt) + "]";
    }
}
