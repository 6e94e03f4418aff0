package io.pgrouter.core.auth;

import java.util.Optional;

/**
 * Which exchange to run with a client, from the hba method and the user's authdb secret, with
 * PostgreSQL's rules: an md5 rule runs SCRAM for a user whose secret is a SCRAM verifier, and a
 * user pgrouter does not know still gets a full (doomed) exchange so that failures look the same.
 */
public enum ClientAuthPlan {
    /** AuthenticationOk at once. */
    TRUST,
    /** Fail with the hba error, without asking for a password. */
    REJECT,
    /** AuthenticationCleartextPassword, checked by {@link CleartextPassword}. */
    CLEARTEXT,
    /** AuthenticationMD5Password with a random salt, checked by {@link Md5Password#verify}. */
    MD5,
    /** AuthenticationSASL, driven by a {@link ScramServerSession}. */
    SCRAM;

    public static ClientAuthPlan choose(HbaMethod method, Optional<UserSecret> secret) {
        return switch (method) {
            case TRUST -> TRUST;
            case REJECT -> REJECT;
            case PASSWORD -> CLEARTEXT;
            case MD5 -> secret.orElse(null) instanceof UserSecret.Scram ? SCRAM : MD5;
            case SCRAM_SHA_256 -> SCRAM;
        };
    }
}
