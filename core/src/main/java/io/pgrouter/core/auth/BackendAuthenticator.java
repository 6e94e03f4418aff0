package io.pgrouter.core.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;

/**
 * Answers a backend's authentication requests as the client's user: feed it every 'R' frame until
 * {@link #authenticated()}; each call returns the frame to send back, or null when there is none.
 *
 * <p>What it can answer depends on the authdb secret: a plaintext password answers everything; an
 * md5 hash answers md5; a SCRAM verifier answers SCRAM only with the ClientKey recovered from the
 * client's own SCRAM login (and only if the backend stores the same verifier). Anything else fails
 * with {@link AuthErrors#backendLoginFailed}, naming the mismatch for the operator.
 */
public final class BackendAuthenticator {
    private final String user;
    private final UserSecret secret;
    private final byte[] clientKey;
    private final byte[] tlsServerEndPoint;
    private ScramClientSession scram;
    private boolean authenticated;

    /**
     * @param secret the user's authdb entry, or null if there is none
     * @param clientKey from {@link ScramServerSession#clientKey()} when the client logged in by SCRAM, else null
     * @param tlsServerEndPoint channel binding data of the backend's certificate over TLS, else null
     */
    public BackendAuthenticator(String user, UserSecret secret, byte[] clientKey, byte[] tlsServerEndPoint) {
        this.user = user;
        this.secret = secret;
        this.clientKey = clientKey == null ? null : clientKey.clone();
        this.tlsServerEndPoint = tlsServerEndPoint == null ? null : tlsServerEndPoint.clone();
    }

    /** Handles one Authentication* frame (the caller keeps ownership of it); returns the reply or null. */
    public ByteBuf handle(ByteBuf authFrame, ByteBufAllocator alloc) {
        if (authenticated) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "authentication request after AuthenticationOk");
        }
        AuthMessages.AuthRequest request = AuthMessages.decodeAuthentication(authFrame);
        switch (request.code()) {
            case AuthMessages.AUTH_OK -> {
                if (scram != null && !scram.complete()) {
                    // Skipping SASLFinal would let a fake backend avoid proving it knows the verifier.
                    throw AuthErrors.backendLoginFailed(user, "the backend ended SCRAM without proving itself");
                }
                authenticated = true;
                return null;
            }
            case AuthMessages.AUTH_CLEARTEXT_PASSWORD -> {
                if (secret instanceof UserSecret.Plaintext p) {
                    return AuthMessages.passwordMessage(alloc, p.password());
                }
                throw AuthErrors.backendLoginFailed(user, "the backend asks for a cleartext password and the"
                        + " authdb " + holds());
            }
            case AuthMessages.AUTH_MD5_PASSWORD -> {
                if (secret instanceof UserSecret.Plaintext p) {
                    return AuthMessages.passwordMessage(alloc, Md5Password.encode(user, p.password(), request.data()));
                }
                if (secret instanceof UserSecret.Md5Hash m) {
                    return AuthMessages.passwordMessage(alloc, Md5Password.fromStoredHash(m.hash(), request.data()));
                }
                throw AuthErrors.backendLoginFailed(user, "the backend asks for md5 and the authdb " + holds());
            }
            case AuthMessages.AUTH_SASL -> {
                if (scram != null) {
                    throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "second AuthenticationSASL from backend");
                }
                scram = scramSession();
                ScramClientSession.InitialResponse first = scram.clientFirst(request.mechanisms(), tlsServerEndPoint);
                return AuthMessages.saslInitialResponse(alloc, first.mechanism(), first.clientFirstMessage());
            }
            case AuthMessages.AUTH_SASL_CONTINUE -> {
                return AuthMessages.saslResponse(alloc, requireScram().clientFinal(request.data()));
            }
            case AuthMessages.AUTH_SASL_FINAL -> {
                requireScram().verifyServerFinal(request.data());
                return null;
            }
            default -> throw AuthErrors.backendLoginFailed(user,
                    "the backend asks for an authentication method pgrouter does not support (code "
                            + request.code() + ")");
        }
    }

    public boolean authenticated() {
        return authenticated;
    }

    private ScramClientSession scramSession() {
        if (secret instanceof UserSecret.Plaintext p) {
            return ScramClientSession.withPassword(user, p.password());
        }
        if (secret instanceof UserSecret.Scram s) {
            if (clientKey == null) {
                throw AuthErrors.backendLoginFailed(user, "the authdb holds only a SCRAM verifier, which can log"
                        + " into a backend only after the client itself logged in with SCRAM (hba method"
                        + " scram-sha-256 or md5)");
            }
            try {
                return ScramClientSession.withClientKey(user, s.verifier(), clientKey);
            } catch (IllegalArgumentException e) {
                throw AuthErrors.backendLoginFailed(user, "the client's SCRAM key does not match the authdb's"
                        + " verifier (was the authdb reloaded in between?)");
            }
        }
        throw AuthErrors.backendLoginFailed(user, "the backend asks for SCRAM and the authdb " + holds());
    }

    private ScramClientSession requireScram() {
        if (scram == null) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "SASL data from backend before AuthenticationSASL");
        }
        return scram;
    }

    private String holds() {
        if (secret == null) {
            return "has no entry for this user";
        }
        return secret instanceof UserSecret.Md5Hash ? "holds only an md5 hash"
                : secret instanceof UserSecret.Scram ? "holds only a SCRAM verifier" : "holds a password";
    }
}
