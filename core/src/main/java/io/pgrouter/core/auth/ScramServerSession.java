package io.pgrouter.core.auth;

import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs it: offer
 * {@link #mechanisms()} in AuthenticationSASL, feed the SASLInitialResponse to
 * {@link #handleClientFirst} and send its result in AuthenticationSASLContinue, feed the
 * SASLResponse to {@link #handleClientFinal} and, when it returns true, send {@link #serverFinal()}
 * in AuthenticationSASLFinal followed by AuthenticationOk.
 *
 * <p>One instance per connection, used from its event loop: no locks, no blocking. Malformed or
 * out-of-order messages throw {@link ProtocolException} (08P01) and end the exchange; a wrong
 * proof is a plain {@code false}, to be reported as {@link AuthErrors#passwordFailed}.
 *
 * <p>After success, {@link #clientKey()} is the ClientKey recovered from the proof: with the same
 * verifier stored on a backend, {@link ScramClientSession#withClientKey} logs into it as this user
 * without the password (PgBouncer's technique).
 */
public final class ScramServerSession {
    public static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
    public static final String SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";
    /** The only channel binding type PostgreSQL implements. */
    public static final String TLS_SERVER_END_POINT = "tls-server-end-point";

    private enum State { AWAITING_CLIENT_FIRST, AWAITING_CLIENT_FINAL, SUCCEEDED, FAILED }

    /** Secret of this process for mock salts (PostgreSQL keeps one per cluster). */
    private static final byte[] MOCK_KEY = ScramCrypto.randomBytes(32);

    private final ScramVerifier verifier;
    /** tls-server-end-point data of our certificate, or null when PLUS is not offered. */
    private final byte[] channelBinding;
    /** Unknown user or unusable secret: run the whole exchange so nothing tells, then fail. */
    private final boolean doomed;
    private final Supplier<String> nonceSuffix;

    private State state = State.AWAITING_CLIENT_FIRST;
    private String gs2Header;
    private boolean plus;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private byte[] authMessage;
    private byte[] clientKey;

    ScramServerSession(ScramVerifier verifier, byte[] channelBinding, boolean doomed, Supplier<String> nonceSuffix) {
        this.verifier = verifier;
        this.channelBinding = channelBinding == null ? null : channelBinding.clone();
        this.doomed = doomed;
        this.nonceSuffix = nonceSuffix;
    }

    /**
     * An exchange against a stored verifier.
     *
     * @param tlsServerEndPoint the channel binding data of pgrouter's certificate on this
     *     connection ({@code io.pgrouter.core.tls.ChannelBindings.tlsServerEndPoint}), or null
     *     without TLS: then SCRAM-SHA-256-PLUS is not offered
     */
    public static ScramServerSession forVerifier(ScramVerifier verifier, byte[] tlsServerEndPoint) {
        return new ScramServerSession(verifier, tlsServerEndPoint, false, ScramCrypto::randomNonce);
    }

    /** An exchange against a plaintext password, through a verifier derived with a fresh salt (one PBKDF2 run). */
    public static ScramServerSession forPassword(String password, byte[] tlsServerEndPoint) {
        return forVerifier(ScramVerifier.derive(password), tlsServerEndPoint);
    }

    /**
     * The exchange for a user as the authdb knows it (or does not): a verifier is used as is, a
     * plaintext password through a derived verifier; an md5 hash cannot do SCRAM and an unknown
     * user has nothing, so both get a mock exchange that always fails and looks like any other.
     */
    public static ScramServerSession forUser(String user, Optional<UserSecret> secret, byte[] tlsServerEndPoint) {
        UserSecret s = secret.orElse(null);
        if (s instanceof UserSecret.Scram scram) {
            return forVerifier(scram.verifier(), tlsServerEndPoint);
        }
        if (s instanceof UserSecret.Plaintext plain) {
            return forPassword(plain.password(), tlsServerEndPoint);
        }
        return mock(user, MOCK_KEY, tlsServerEndPoint);
    }

    /**
     * A mock exchange, as PostgreSQL runs for a user without a SCRAM secret: the salt is derived
     * from the user name and {@code mockKey} so that repeated attempts see the same salt, as for a
     * real user, and the proof is never accepted.
     */
    static ScramServerSession mock(String user, byte[] mockKey, byte[] tlsServerEndPoint) {
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        byte[] material = Arrays.copyOf(name, name.length + mockKey.length);
        System.arraycopy(mockKey, 0, material, name.length, mockKey.length);
        byte[] salt = Arrays.copyOf(ScramCrypto.sha256(material), ScramCrypto.DEFAULT_SALT_LENGTH);
        return doomed(salt, tlsServerEndPoint);
    }

    private static ScramServerSession doomed(byte[] salt, byte[] tlsServerEndPoint) {
        ScramVerifier fake = ScramVerifier.of(ScramCrypto.DEFAULT_ITERATIONS, salt,
                ScramCrypto.randomBytes(ScramCrypto.KEY_LENGTH), ScramCrypto.randomBytes(ScramCrypto.KEY_LENGTH));
        return new ScramServerSession(fake, tlsServerEndPoint, true, ScramCrypto::randomNonce);
    }

    /** The mechanisms for AuthenticationSASL, preferred first (PLUS only with channel binding data). */
    public List<String> mechanisms() {
        return channelBinding != null ? List.of(SCRAM_SHA_256_PLUS, SCRAM_SHA_256) : List.of(SCRAM_SHA_256);
    }

    /**
     * Takes the SASLInitialResponse (mechanism and client-first-message) and returns the
     * server-first-message for AuthenticationSASLContinue.
     */
    public byte[] handleClientFirst(String mechanism, byte[] clientFirstMessage) {
        expectMessage(State.AWAITING_CLIENT_FIRST);
        if (SCRAM_SHA_256_PLUS.equals(mechanism) && channelBinding != null) {
            plus = true;
        } else if (!SCRAM_SHA_256.equals(mechanism)) {
            throw violation("client selected an invalid SASL authentication mechanism");
        }
        String text = latin1(clientFirstMessage);
        ScramReader in = new ScramReader(text, "client");
        readGs2Header(in);
        gs2Header = in.substring(0, in.position());
        int bareStart = in.position();
        if (in.peek() == 'm') {
            throw violation("client requires an unsupported SCRAM extension");
        }
        in.attribute('n'); // PostgreSQL ignores it too: the user is the startup packet's
        String clientNonce = in.nonce();
        in.skipExtensions('\0');
        clientFirstBare = text.substring(bareStart);
        nonce = clientNonce + nonceSuffix.get();
        serverFirst = "r=" + nonce + ",s=" + ScramCrypto.base64(verifier.saltRef()) + ",i=" + verifier.iterations();
        state = State.AWAITING_CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void readGs2Header(ScramReader in) {
        switch (in.peek()) {
            case 'n' -> {
                expectComma(in);
                if (plus) {
                    throw violation("client selected SCRAM-SHA-256-PLUS but sent no channel binding");
                }
            }
            case 'y' -> {
                expectComma(in);
                if (plus) {
                    throw violation("client selected SCRAM-SHA-256-PLUS but sent no channel binding");
                }
                if (channelBinding != null) {
                    // A man in the middle may have stripped PLUS from our list: refuse to downgrade.
                    throw violation("SCRAM channel binding negotiation error: the client supports SCRAM"
                            + " channel binding but thinks the server does not, and this server does");
                }
            }
            case 'p' -> {
                String type = in.attribute('p');
                if (!plus) {
                    throw violation("the client selected SCRAM-SHA-256 without channel binding, but the"
                            + " SCRAM message includes channel binding data");
                }
                if (!TLS_SERVER_END_POINT.equals(type)) {
                    throw violation("unsupported SCRAM channel-binding type \"" + type + "\"");
                }
            }
            default -> throw in.malformed("unexpected channel-binding flag");
        }
        if (in.peek() == 'a') {
            throw violation("client uses authorization identity, but it is not supported");
        }
        if (in.peek() != ',') {
            throw in.malformed("expected a comma after the channel-binding flag");
        }
        in.valueUpToComma();
    }

    /** Reads a one-letter flag and its comma. */
    private static void expectComma(ScramReader in) {
        if (in.valueUpToComma().length() != 1) {
            throw in.malformed("unexpected channel-binding flag");
        }
    }

    /**
     * Takes the SASLResponse (client-final-message) and checks channel binding, nonce and proof.
     * Returns whether the client proved it knows the password; false means a failed login.
     */
    public boolean handleClientFinal(byte[] clientFinalMessage) {
        expectMessage(State.AWAITING_CLIENT_FINAL);
        String text = latin1(clientFinalMessage);
        ScramReader in = new ScramReader(text, "client");
        byte[] cbind = in.base64('c');
        byte[] expected = expectedChannelBindingInput();
        if (!MessageDigest.isEqual(cbind, expected)) {
            throw violation("SCRAM channel binding check failed");
        }
        if (!nonce.equals(in.nonce())) {
            throw violation("SCRAM nonce mismatch");
        }
        in.skipExtensions('p');
        int proofAt = in.position();
        byte[] proof = in.base64('p');
        in.expectEnd();
        if (proofAt == 0 || proof.length != ScramCrypto.KEY_LENGTH) {
            throw in.malformed("invalid client proof");
        }
        String withoutProof = text.substring(0, proofAt - 1); // drop the comma before p=
        authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.ISO_8859_1);
        byte[] clientSignature = ScramCrypto.hmac(verifier.storedKeyRef(), authMessage);
        byte[] recovered = ScramCrypto.xor(proof, clientSignature);
        boolean valid = MessageDigest.isEqual(ScramCrypto.sha256(recovered), verifier.storedKeyRef());
        if (!valid || doomed) {
            return false;
        }
        clientKey = recovered;
        state = State.SUCCEEDED;
        return true;
    }

    private byte[] expectedChannelBindingInput() {
        byte[] header = gs2Header.getBytes(StandardCharsets.ISO_8859_1);
        if (!plus) {
            return header;
        }
        byte[] out = Arrays.copyOf(header, header.length + channelBinding.length);
        System.arraycopy(channelBinding, 0, out, header.length, channelBinding.length);
        return out;
    }

    /** The server-final-message ({@code v=ServerSignature}) for AuthenticationSASLFinal, after success. */
    public byte[] serverFinal() {
        requireSuccess();
        byte[] signature = ScramCrypto.hmac(verifier.serverKeyRef(), authMessage);
        return ("v=" + ScramCrypto.base64(signature)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The ClientKey recovered from the client's proof, after success. */
    public byte[] clientKey() {
        requireSuccess();
        return clientKey.clone();
    }

    /** The verifier the client was checked against (a derived one for a plaintext password). */
    public ScramVerifier verifier() {
        return verifier;
    }

    /** Whether the client chose SCRAM-SHA-256-PLUS (and so its binding was checked). */
    public boolean channelBound() {
        return plus && state == State.SUCCEEDED;
    }

    public boolean succeeded() {
        return state == State.SUCCEEDED;
    }

    /**
     * A message is only welcome in its state (a replayed or early one is a violation); until it
     * proves good the exchange counts as failed, so an exception leaves it failed.
     */
    private void expectMessage(State expected) {
        State was = state;
        state = State.FAILED;
        if (was != expected) {
            throw violation("unexpected SCRAM message (exchange " + switch (was) {
                case AWAITING_CLIENT_FIRST -> "not started";
                case AWAITING_CLIENT_FINAL -> "expects the client-final-message";
                case SUCCEEDED -> "already complete";
                case FAILED -> "already failed";
            } + ")");
        }
    }

    private void requireSuccess() {
        if (state != State.SUCCEEDED) {
            throw new IllegalStateException("the SCRAM exchange has not succeeded");
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static ProtocolException violation(String message) {
        return new ProtocolException(SqlState.PROTOCOL_VIOLATION, message);
    }
}
