package io.pgrouter.core.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.protocol.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Full exchanges between pgrouter's SCRAM server and client, with a verifier made by PostgreSQL 15. */
class ScramExchangeTest {
    /** {@code CREATE ROLE alice PASSWORD 'correct horse'} on PostgreSQL 15, read back from pg_authid. */
    static final String ALICE = "SCRAM-SHA-256$4096:/IY4WxZpnvT+38vSlopcag==$"
            + "qF9tLa81e8yFtVDLiiNT3WFPe6Ld+1NUsU9nsfD8H6A=:3yIwflIdbVW5/DSBh4tIxeIoVXNL40BfizfTmXPPFcI=";
    static final byte[] CERT_HASH = ScramCrypto.sha256("a certificate".getBytes(US_ASCII));

    static ScramVerifier alice() throws Exception {
        return ScramVerifier.parse(ALICE);
    }

    /** Runs a whole exchange; returns the server session, successful or not. */
    static ScramServerSession login(ScramServerSession server, ScramClientSession client, byte[] clientCb) {
        ScramClientSession.InitialResponse first = client.clientFirst(server.mechanisms(), clientCb);
        byte[] serverFirst = server.handleClientFirst(first.mechanism(), first.clientFirstMessage());
        if (server.handleClientFinal(client.clientFinal(serverFirst))) {
            client.verifyServerFinal(server.serverFinal());
        }
        return server;
    }

    @Test
    void postgresVerifierAcceptsTheRightPasswordAndTheClientCheckedTheServer() throws Exception {
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        ScramServerSession server = login(ScramServerSession.forVerifier(alice(), null), client, null);
        assertTrue(server.succeeded());
        assertTrue(client.complete());
        assertFalse(server.channelBound());
    }

    @Test
    void wrongPasswordFailsWithoutServerFinal() throws Exception {
        ScramServerSession server = login(ScramServerSession.forVerifier(alice(), null),
                ScramClientSession.withPassword("alice", "wrong horse"), null);
        assertFalse(server.succeeded());
        assertThrows(IllegalStateException.class, server::serverFinal);
        assertThrows(IllegalStateException.class, server::clientKey);
    }

    @Test
    void recoveredClientKeyLogsIntoABackendWithTheSameVerifier() throws Exception {
        ScramServerSession front = login(ScramServerSession.forVerifier(alice(), null),
                ScramClientSession.withPassword("alice", "correct horse"), null);
        byte[] clientKey = front.clientKey();

        // The "backend" knows only the same verifier; pgrouter knows only the verifier and the key.
        ScramClientSession passthrough = ScramClientSession.withClientKey("alice", alice(), clientKey);
        ScramServerSession backend = login(ScramServerSession.forVerifier(alice(), null), passthrough, null);
        assertTrue(backend.succeeded());
        assertTrue(passthrough.complete());
    }

    @Test
    void clientKeyAgainstADifferentSaltFailsClearly() throws Exception {
        byte[] clientKey = login(ScramServerSession.forVerifier(alice(), null),
                ScramClientSession.withPassword("alice", "correct horse"), null).clientKey();
        ScramServerSession backend = ScramServerSession.forPassword("correct horse", null); // fresh salt
        ScramClientSession passthrough = ScramClientSession.withClientKey("alice", alice(), clientKey);
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> login(backend, passthrough, null));
        assertEquals(AuthErrors.INVALID_AUTHORIZATION_SPECIFICATION, e.sqlState());
        assertTrue(e.getMessage().contains("salt or iteration count"), e.getMessage());
    }

    @Test
    void clientKeyMustBelongToTheVerifier() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> ScramClientSession.withClientKey("alice", alice(), new byte[32]));
    }

    @Test
    void backendWithoutTheVerifierIsCaughtByItsSignature() throws Exception {
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        ScramServerSession server = ScramServerSession.forVerifier(alice(), null);
        ScramClientSession.InitialResponse first = client.clientFirst(server.mechanisms(), null);
        byte[] clientFinal = client.clientFinal(server.handleClientFirst(first.mechanism(), first.clientFirstMessage()));
        assertTrue(server.handleClientFinal(clientFinal));
        byte[] forged = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(US_ASCII);
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> client.verifyServerFinal(forged));
        assertTrue(e.getMessage().contains("server signature"), e.getMessage());
    }

    @Test
    void channelBindingOverTls() throws Exception {
        ScramServerSession server = ScramServerSession.forVerifier(alice(), CERT_HASH);
        assertEquals(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), server.mechanisms());
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        login(server, client, CERT_HASH);
        assertTrue(server.channelBound());
        assertTrue(client.complete());
    }

    @Test
    void channelBindingToAnotherCertificateIsRejected() throws Exception {
        ScramServerSession server = ScramServerSession.forVerifier(alice(), CERT_HASH);
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        byte[] mitmCert = ScramCrypto.sha256("the attacker's certificate".getBytes(US_ASCII));
        ProtocolException e = assertThrows(ProtocolException.class, () -> login(server, client, mitmCert));
        assertEquals("SCRAM channel binding check failed", e.getMessage());
    }

    @Test
    void clientSayingYIsRejectedWhenPlusWasOffered() throws Exception {
        ScramServerSession server = ScramServerSession.forVerifier(alice(), CERT_HASH);
        // The client saw only SCRAM-SHA-256 (a man in the middle removed PLUS), so it sends "y".
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        ScramClientSession.InitialResponse first = client.clientFirst(List.of("SCRAM-SHA-256"), CERT_HASH);
        assertTrue(new String(first.clientFirstMessage(), US_ASCII).startsWith("y,,"));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> server.handleClientFirst(first.mechanism(), first.clientFirstMessage()));
        assertTrue(e.getMessage().startsWith("SCRAM channel binding negotiation error"), e.getMessage());
    }

    @Test
    void clientSayingYIsFineWithoutTlsOnTheServerSide() throws Exception {
        ScramServerSession server = ScramServerSession.forVerifier(alice(), null);
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        assertTrue(login(server, client, CERT_HASH).succeeded());
    }

    @Test
    void plaintextPasswordSecretWorksThroughADerivedVerifier() {
        ScramServerSession server = ScramServerSession.forUser("u", java.util.Optional.of(new UserSecret.Plaintext("s3cret")), null);
        assertEquals(4096, server.verifier().iterations());
        assertTrue(login(server, ScramClientSession.withPassword("u", "s3cret"), null).succeeded());
    }

    @Test
    void unknownUserAndMd5SecretGetADoomedButOrdinaryLookingExchange() {
        ScramServerSession ghost = ScramServerSession.forUser("ghost", java.util.Optional.empty(), null);
        ScramServerSession again = ScramServerSession.forUser("ghost", java.util.Optional.empty(), null);
        assertEquals(ScramCrypto.base64(ghost.verifier().salt()), ScramCrypto.base64(again.verifier().salt()),
                "a repeated attempt must see the same salt, as for a real user");
        assertFalse(java.util.Arrays.equals(ghost.verifier().salt(),
                ScramServerSession.forUser("ghost2", java.util.Optional.empty(), null).verifier().salt()));
        assertFalse(login(ghost, ScramClientSession.withPassword("ghost", "x"), null).succeeded());
        UserSecret md5Secret = new UserSecret.Md5Hash(Md5Password.hash("u", "p"));
        ScramServerSession md5 = ScramServerSession.forUser("u", java.util.Optional.of(md5Secret), null);
        assertFalse(login(md5, ScramClientSession.withPassword("u", "p"), null).succeeded());
    }

    @Test
    void nonAsciiPasswordsAreSaslPrepped() {
        // U+00A0 (no-break space) maps to a space; U+00AD (soft hyphen) maps to nothing.
        ScramVerifier verifier = ScramVerifier.derive("pass\u00a0wo\u00adrd");
        assertTrue(login(ScramServerSession.forVerifier(verifier, null),
                ScramClientSession.withPassword("u", "pass word"), null).succeeded());
    }
}
