package io.pgrouter.core.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SCRAM-SHA-256 example of RFC 7677 section 3, message for message, from both ends. */
class ScramRfc7677Test {
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_SUFFIX = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    @Test
    void clientAndServerProduceTheRfcMessagesExactly() {
        ScramClientSession client = new ScramClientSession("user", "user", "pencil", null, null, CLIENT_NONCE);
        ScramVerifier verifier = ScramVerifier.derive("pencil", SALT, 4096);
        ScramServerSession server = new ScramServerSession(verifier, null, false, () -> SERVER_SUFFIX);

        ScramClientSession.InitialResponse first = client.clientFirst(server.mechanisms(), null);
        assertEquals("SCRAM-SHA-256", first.mechanism());
        assertEquals(CLIENT_FIRST, new String(first.clientFirstMessage(), US_ASCII));

        byte[] serverFirst = server.handleClientFirst(first.mechanism(), first.clientFirstMessage());
        assertEquals(SERVER_FIRST, new String(serverFirst, US_ASCII));

        byte[] clientFinal = client.clientFinal(serverFirst);
        assertEquals(CLIENT_FINAL, new String(clientFinal, US_ASCII));

        assertTrue(server.handleClientFinal(clientFinal));
        byte[] serverFinal = server.serverFinal();
        assertEquals(SERVER_FINAL, new String(serverFinal, US_ASCII));

        client.verifyServerFinal(serverFinal);
        assertTrue(client.complete());
    }

    @Test
    void serverAcceptsTheRfcClientMessagesVerbatim() {
        ScramVerifier verifier = ScramVerifier.derive("pencil", SALT, 4096);
        ScramServerSession server = new ScramServerSession(verifier, null, false, () -> SERVER_SUFFIX);
        assertEquals(SERVER_FIRST, new String(server.handleClientFirst("SCRAM-SHA-256", CLIENT_FIRST.getBytes(US_ASCII)), US_ASCII));
        assertTrue(server.handleClientFinal(CLIENT_FINAL.getBytes(US_ASCII)));
        assertEquals(SERVER_FINAL, new String(server.serverFinal(), US_ASCII));
        // ClientKey = HMAC(SaltedPassword, "Client Key"), recovered from the proof alone.
        byte[] salted = ScramCrypto.saltedPassword("pencil", SALT, 4096);
        assertArrayEquals(ScramCrypto.clientKey(salted), server.clientKey());
    }

    @Test
    void verifierRoundTripsThroughItsTextForm() throws Exception {
        ScramVerifier verifier = ScramVerifier.derive("pencil", SALT, 4096);
        assertEquals(verifier, ScramVerifier.parse(verifier.format()));
        assertTrue(verifier.format().startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"));
        assertEquals(List.of("SCRAM-SHA-256"), ScramServerSession.forVerifier(verifier, null).mechanisms());
    }
}
