package io.pgrouter.core.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * pgrouter authenticating one client, once the hba rule has let it try: sends the request the
 * {@link ClientAuthPlan} calls for, checks the client's answers, and ends in {@link #succeeded()}
 * or an {@link AuthenticationException}. Driven one frame at a time on the client's event loop.
 *
 * <p>Every failure of the secret (wrong password, unknown user, a secret that cannot do the
 * method) throws the same 28P01, after the whole exchange, so a client cannot tell them apart.
 * Malformed messages throw {@link ProtocolException} (08P01).
 */
public final class ClientAuthenticator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClientAuthPlan plan;
    private final String user;
    private final Optional<UserSecret> secret;
    private final byte[] tlsServerEndPoint;
    private byte[] md5Salt;
    private ScramServerSession scram;
    /** The SASLInitialResponse arrived; the next frame is the SASLResponse. */
    private boolean scramStarted;
    private boolean succeeded;

    /**
     * @param tlsServerEndPoint channel binding data of pgrouter's certificate when the client is on
     *     TLS (SCRAM-SHA-256-PLUS is then offered), else null
     */
    public ClientAuthenticator(ClientAuthPlan plan, String user, Optional<UserSecret> secret, byte[] tlsServerEndPoint) {
        if (plan == ClientAuthPlan.REJECT) {
            throw new IllegalArgumentException("a rejected client gets the hba error, not an exchange");
        }
        this.plan = plan;
        this.user = user;
        this.secret = secret;
        this.tlsServerEndPoint = tlsServerEndPoint;
    }

    /** The first message to the client: AuthenticationOk for trust (which then has succeeded), else the request. */
    public ByteBuf begin(ByteBufAllocator alloc) {
        return switch (plan) {
            case TRUST -> {
                succeeded = true;
                yield AuthMessages.authenticationOk(alloc);
            }
            case CLEARTEXT -> AuthMessages.authenticationCleartextPassword(alloc);
            case MD5 -> {
                md5Salt = new byte[4];
                RANDOM.nextBytes(md5Salt);
                yield AuthMessages.authenticationMd5Password(alloc, md5Salt);
            }
            case SCRAM -> {
                scram = ScramServerSession.forUser(user, secret, tlsServerEndPoint);
                yield AuthMessages.authenticationSasl(alloc, scram.mechanisms());
            }
            case REJECT -> throw new IllegalStateException("unreachable");
        };
    }

    /**
     * Takes one client frame (the caller keeps ownership) and returns what to send back: the next
     * request, or the final message(s) ending in AuthenticationOk once the client has proved itself.
     *
     * @throws AuthenticationException when the client's secret is wrong
     * @throws ProtocolException when the message is not the one expected or is malformed
     */
    public ByteBuf onMessage(ByteBuf frame, ByteBufAllocator alloc) {
        if (succeeded || frame.getByte(frame.readerIndex()) != AuthMessages.PASSWORD) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "expected password response, got message type "
                    + (char) frame.getByte(frame.readerIndex()));
        }
        switch (plan) {
            case CLEARTEXT -> {
                String password = AuthMessages.decodePasswordMessage(frame);
                return accept(CleartextPassword.verify(secret.orElse(null), user, password), alloc);
            }
            case MD5 -> {
                String answer = AuthMessages.decodePasswordMessage(frame);
                return accept(Md5Password.verify(secret.orElse(null), user, md5Salt, answer), alloc);
            }
            case SCRAM -> {
                return scramStep(frame, alloc);
            }
            default -> throw new IllegalStateException("no exchange for " + plan);
        }
    }

    private ByteBuf scramStep(ByteBuf frame, ByteBufAllocator alloc) {
        if (!scramStarted) {
            AuthMessages.SaslInitialResponse first = AuthMessages.decodeSaslInitialResponse(frame);
            scramStarted = true;
            return AuthMessages.authenticationSaslContinue(alloc, scram.handleClientFirst(first.mechanism(), first.data()));
        }
        if (!scram.handleClientFinal(AuthMessages.decodeSaslResponse(frame))) {
            throw AuthErrors.passwordFailed(user);
        }
        succeeded = true;
        ByteBuf out = alloc.buffer();
        ByteBuf saslFinal = AuthMessages.authenticationSaslFinal(alloc, scram.serverFinal());
        ByteBuf ok = AuthMessages.authenticationOk(alloc);
        try {
            return out.writeBytes(saslFinal).writeBytes(ok);
        } finally {
            saslFinal.release();
            ok.release();
        }
    }

    private ByteBuf accept(boolean valid, ByteBufAllocator alloc) {
        if (!valid) {
            throw AuthErrors.passwordFailed(user);
        }
        succeeded = true;
        return AuthMessages.authenticationOk(alloc);
    }

    public boolean succeeded() {
        return succeeded;
    }

    /** The ClientKey the client's SCRAM proof revealed (for SCRAM passthrough to backends), or null. */
    public byte[] clientKey() {
        return succeeded && scram != null ? scram.clientKey() : null;
    }

    /** Whether the client bound the exchange to the TLS channel (SCRAM-SHA-256-PLUS). */
    public boolean channelBound() {
        return succeeded && scram != null && scram.channelBound();
    }
}
