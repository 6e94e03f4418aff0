package io.pgrouter.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks a password received in clear (hba method {@code password}) against any kind of secret,
 * as PostgreSQL's plain_crypt_verify does: compare, hash with md5, or derive the SCRAM keys with
 * the verifier's salt and iterations. Comparisons are constant-time.
 */
public final class CleartextPassword {
    private CleartextPassword() {
    }

    /** Whether {@code password} is the one behind {@code secret}; false for a null (unknown user) secret. */
    public static boolean verify(UserSecret secret, String user, String password) {
        if (password.isEmpty()) {
            return false; // PostgreSQL never accepts an empty password either
        }
        if (secret instanceof UserSecret.Plaintext p) {
            return equal(p.password(), password);
        }
        if (secret instanceof UserSecret.Md5Hash m) {
            return equal(m.hash(), Md5Password.hash(user, password));
        }
        if (!(secret instanceof UserSecret.Scram s)) {
            return false;
        }
        ScramVerifier stored = s.verifier();
        ScramVerifier derived = ScramVerifier.derive(password, stored.saltRef(), stored.iterations());
        return MessageDigest.isEqual(derived.storedKeyRef(), stored.storedKeyRef())
                & MessageDigest.isEqual(derived.serverKeyRef(), stored.serverKeyRef());
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
