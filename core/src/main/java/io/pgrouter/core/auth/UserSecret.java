package io.pgrouter.core.auth;

/**
 * What the authdb knows about a user's password: the password itself, PostgreSQL's md5 hash, or a
 * SCRAM-SHA-256 verifier. {@code toString()} never shows the secret.
 */
public sealed interface UserSecret {

    /** Classifies a secret as PostgreSQL's get_password_type does; a broken SCRAM verifier is an error. */
    static UserSecret of(String secret) throws ScramVerifier.FormatException {
        if (ScramVerifier.looksLikeVerifier(secret)) {
            return new Scram(ScramVerifier.parse(secret));
        }
        if (Md5Password.isMd5Hash(secret)) {
            return new Md5Hash(secret);
        }
        return new Plaintext(secret);
    }

    /** The password in clear: every method works, in both directions. */
    record Plaintext(String password) implements UserSecret {
        @Override
        public String toString() {
            return "Plaintext[***]";
        }
    }

    /** {@code md5} + hex(md5(password + user)): md5 and password methods only, no SCRAM. */
    record Md5Hash(String hash) implements UserSecret {
        @Override
        public String toString() {
            return "Md5Hash[***]";
        }
    }

    /**
     * A SCRAM-SHA-256 verifier: scram-sha-256 (and md5 rules, which PostgreSQL upgrades to SCRAM
     * for such users) and password rules. Backends can only be logged into with the ClientKey a
     * client's SCRAM proof revealed.
     */
    record Scram(ScramVerifier verifier) implements UserSecret {
    }
}
