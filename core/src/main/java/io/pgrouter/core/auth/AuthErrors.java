package io.pgrouter.core.auth;

/**
 * SQLSTATEs and messages of authentication failures, worded as PostgreSQL words them so that
 * clients and operators see what they would see talking to the server directly.
 *
 * <p>The message sent to the client deliberately says no more than PostgreSQL's (it never tells
 * an unknown user from a wrong password); the reason belongs in pgrouter's log, with the
 * client's address.
 */
public final class AuthErrors {
    private AuthErrors() {
    }

    /** invalid_authorization_specification: hba rejections, unusable secrets. */
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    /** invalid_password: any failed password or SCRAM exchange, unknown users included. */
    public static final String INVALID_PASSWORD = "28P01";

    /** Wrong password, wrong proof, unknown user, or no secret usable with the method. */
    public static AuthenticationException passwordFailed(String user) {
        return new AuthenticationException(INVALID_PASSWORD,
                "password authentication failed for user \"" + user + "\"");
    }

    /** No hba line matched the connection. */
    public static AuthenticationException noHbaEntry(String host, String user, String database, boolean tls) {
        return new AuthenticationException(INVALID_AUTHORIZATION_SPECIFICATION,
                "no pg_hba.conf entry for host \"" + host + "\", user \"" + user + "\", database \""
                        + database + "\", " + encryption(tls));
    }

    /** The first matching hba line says {@code reject}. */
    public static AuthenticationException hbaRejects(String host, String user, String database, boolean tls) {
        return new AuthenticationException(INVALID_AUTHORIZATION_SPECIFICATION,
                "pg_hba.conf rejects connection for host \"" + host + "\", user \"" + user
                        + "\", database \"" + database + "\", " + encryption(tls));
    }

    /** The hba decision for a connection, as the matching error (or null when it is let through). */
    public static AuthenticationException forDecision(HbaRules.Decision decision, String host, String user,
            String database, boolean tls) {
        if (decision.method() != HbaMethod.REJECT) {
            return null;
        }
        return decision.matched() ? hbaRejects(host, user, database, tls) : noHbaEntry(host, user, database, tls);
    }

    /**
     * pgrouter could not log into a backend as {@code user}: the backend and the authdb disagree
     * (a different verifier, no usable secret). The client sees the cause: only an operator can fix it.
     */
    public static AuthenticationException backendLoginFailed(String user, String detail) {
        return new AuthenticationException(INVALID_AUTHORIZATION_SPECIFICATION,
                "pgrouter could not log into the backend as user \"" + user + "\": " + detail);
    }

    private static String encryption(boolean tls) {
        return tls ? "SSL encryption" : "no encryption";
    }
}
