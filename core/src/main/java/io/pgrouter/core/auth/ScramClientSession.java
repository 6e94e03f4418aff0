package io.pgrouter.core.auth;

import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * The client side of one SCRAM-SHA-256 exchange: pgrouter logging into a backend. On
 * AuthenticationSASL call {@link #clientFirst} and send a SASLInitialResponse; on
 * AuthenticationSASLContinue call {@link #clientFinal} and send a SASLResponse; on
 * AuthenticationSASLFinal call {@link #verifyServerFinal}, which throws unless the backend proved
 * it knows the verifier.
 *
 * <p>Two ways to prove the user: the plaintext password ({@link #withPassword}, one PBKDF2 run
 * with the backend's salt), or a ClientKey recovered from the client's own SCRAM login together
 * with the verifier it was checked against ({@link #withClientKey}, no PBKDF2 at all). The latter
 * only works if the backend stores that same verifier: its salt and iteration count are checked
 * and a mismatch fails with a message that says so.
 */
public final class ScramClientSession {
    /** What {@link #clientFirst} returns: the contents of the SASLInitialResponse. */
    public record InitialResponse(String mechanism, byte[] clientFirstMessage) {
    }

    private enum State { INITIAL, SENT_CLIENT_FIRST, SENT_CLIENT_FINAL, DONE }

    private final String user;
    private final String saslUser;
    private final String password;
    private final ScramVerifier verifier;
    private final byte[] clientKey;
    private final String clientNonce;

    private State state = State.INITIAL;
    private String gs2Header;
    private byte[] channelBinding;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    ScramClientSession(String user, String saslUser, String password, ScramVerifier verifier, byte[] clientKey,
            String clientNonce) {
        this.user = user;
        this.saslUser = saslUser;
        this.password = password;
        this.verifier = verifier;
        this.clientKey = clientKey == null ? null : clientKey.clone();
        this.clientNonce = clientNonce;
    }

    /** Logs in as {@code user} with the plaintext password (user only names the user in errors). */
    public static ScramClientSession withPassword(String user, String password) {
        // Like libpq, send an empty SCRAM user name: PostgreSQL uses the startup packet's.
        return new ScramClientSession(user, "", password, null, null, ScramCrypto.randomNonce());
    }

    /** Logs in with a ClientKey recovered by {@link ScramServerSession#clientKey()} and its verifier. */
    public static ScramClientSession withClientKey(String user, ScramVerifier verifier, byte[] clientKey) {
        if (clientKey.length != ScramCrypto.KEY_LENGTH
                || !MessageDigest.isEqual(ScramCrypto.sha256(clientKey), verifier.storedKeyRef())) {
            throw new IllegalArgumentException("the ClientKey does not belong to this verifier");
        }
        return new ScramClientSession(user, "", null, verifier, clientKey, ScramCrypto.randomNonce());
    }

    /**
     * Picks the mechanism from AuthenticationSASL's list and returns the client-first-message.
     *
     * @param tlsServerEndPoint channel binding data of the backend's certificate when the
     *     connection is TLS ({@code ChannelBindings.tlsServerEndPoint}), else null
     */
    public InitialResponse clientFirst(List<String> serverMechanisms, byte[] tlsServerEndPoint) {
        expect(State.INITIAL);
        String mechanism;
        if (tlsServerEndPoint != null && serverMechanisms.contains(ScramServerSession.SCRAM_SHA_256_PLUS)) {
            mechanism = ScramServerSession.SCRAM_SHA_256_PLUS;
            gs2Header = "p=" + ScramServerSession.TLS_SERVER_END_POINT + ",,";
            channelBinding = tlsServerEndPoint.clone();
        } else if (serverMechanisms.contains(ScramServerSession.SCRAM_SHA_256)) {
            mechanism = ScramServerSession.SCRAM_SHA_256;
            // "y": we could bind but the server did not offer it, which a downgrade would look like.
            gs2Header = tlsServerEndPoint != null ? "y,," : "n,,";
            channelBinding = new byte[0];
        } else {
            throw AuthErrors.backendLoginFailed(user, "the backend offers none of pgrouter's SASL mechanisms "
                    + serverMechanisms);
        }
        // Messages are handled as ISO-8859-1 strings, one char per byte, so the AuthMessage is
        // made of the exact bytes on the wire; the user name is UTF-8 like everything else.
        String name = new String(saslName(saslUser).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        clientFirstBare = "n=" + name + ",r=" + clientNonce;
        state = State.SENT_CLIENT_FIRST;
        return new InitialResponse(mechanism, bytes(gs2Header + clientFirstBare));
    }

    /** Takes the server-first-message and returns the client-final-message with the proof. */
    public byte[] clientFinal(byte[] serverFirstMessage) {
        expect(State.SENT_CLIENT_FIRST);
        String serverFirst = new String(serverFirstMessage, StandardCharsets.ISO_8859_1);
        ScramReader in = new ScramReader(serverFirst, "backend");
        if (in.peek() == 'm') {
            throw in.malformed("the backend requires an unsupported SCRAM extension");
        }
        String nonce = in.nonce();
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw in.malformed("the backend's nonce does not extend pgrouter's");
        }
        byte[] salt = in.base64('s');
        int iterations = iterations(in, in.attribute('i'));
        in.skipExtensions('\0');
        if (salt.length == 0) {
            throw in.malformed("empty salt");
        }

        byte[] key;
        byte[] storedKey;
        byte[] serverKey;
        if (password != null) {
            byte[] salted = ScramCrypto.saltedPassword(password, salt, iterations);
            key = ScramCrypto.clientKey(salted);
            storedKey = ScramCrypto.sha256(key);
            serverKey = ScramCrypto.serverKey(salted);
        } else {
            if (!verifier.sameSaltAndIterations(salt, iterations)) {
                throw AuthErrors.backendLoginFailed(user, "the backend's SCRAM verifier differs from the authdb's"
                        + " (salt or iteration count), so the client's proof cannot be reused: store the"
                        + " same verifier on every backend");
            }
            key = clientKey;
            storedKey = verifier.storedKeyRef();
            serverKey = verifier.serverKeyRef();
        }
        byte[] cbindInput = Arrays.copyOf(bytes(gs2Header), gs2Header.length() + channelBinding.length);
        System.arraycopy(channelBinding, 0, cbindInput, gs2Header.length(), channelBinding.length);
        String withoutProof = "c=" + ScramCrypto.base64(cbindInput) + ",r=" + nonce;
        byte[] authMessage = bytes(clientFirstBare + "," + serverFirst + "," + withoutProof);
        byte[] proof = ScramCrypto.xor(key, ScramCrypto.hmac(storedKey, authMessage));
        expectedServerSignature = ScramCrypto.hmac(serverKey, authMessage);
        state = State.SENT_CLIENT_FINAL;
        return bytes(withoutProof + ",p=" + ScramCrypto.base64(proof));
    }

    /** Checks the server-final-message: returns only if the backend proved it holds the verifier. */
    public void verifyServerFinal(byte[] serverFinalMessage) {
        expect(State.SENT_CLIENT_FINAL);
        ScramReader in = new ScramReader(new String(serverFinalMessage, StandardCharsets.ISO_8859_1), "backend");
        if (in.peek() == 'e') {
            throw AuthErrors.backendLoginFailed(user, "the backend reports SCRAM error \"" + in.attribute('e') + "\"");
        }
        byte[] signature = in.base64('v');
        in.skipExtensions('\0');
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw AuthErrors.backendLoginFailed(user, "the backend's SCRAM server signature is wrong"
                    + " (it does not hold the user's verifier)");
        }
        state = State.DONE;
    }

    /** True once the backend's signature has been verified. */
    public boolean complete() {
        return state == State.DONE;
    }

    private static int iterations(ScramReader in, String text) {
        try {
            int i = Integer.parseInt(text);
            if (i > 0 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw in.malformed("invalid iteration count \"" + text + "\"");
    }

    private void expect(State expected) {
        if (state != expected) {
            throw new ProtocolException(SqlState.PROTOCOL_VIOLATION,
                    "unexpected SCRAM message from backend in state " + state);
        }
    }

    /** RFC 5802's saslname: '=' and ',' escaped. */
    private static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
