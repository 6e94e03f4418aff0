package io.pgrouter.core.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile and broken SCRAM input: every case ends the exchange with 08P01 or a failed login. */
class ScramMalformedTest {
    private static final String NONCE = "fyko+d2lbbFgONRv9qkxdawL";

    private static ScramServerSession server() throws Exception {
        return new ScramServerSession(ScramExchangeTest.alice(), null, false, () -> "SERVER");
    }

    private static ProtocolException violation(Runnable r) {
        ProtocolException e = assertThrows(ProtocolException.class, r::run);
        assertEquals(SqlState.PROTOCOL_VIOLATION, e.sqlState());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "n", "n,", "n,,", "x,,n=,r=abc", "n,,r=abc", "n,,n=", "n,,n=,r=",
            "n,,n=,r=a,b", "n,,n=,r=ab\u0001c", "n,a=admin,n=,r=abc", "n,,m=ext,n=,r=abc",
            "p=tls-unique,,n=,r=abc", "n,,n=,r=abc,=x"})
    void malformedClientFirstIsAProtocolViolation(String message) throws Exception {
        ScramServerSession server = server();
        violation(() -> server.handleClientFirst("SCRAM-SHA-256", message.getBytes(US_ASCII)));
        assertFalse(server.succeeded());
        // the exchange is over: nothing further is accepted
        violation(() -> server.handleClientFirst("SCRAM-SHA-256", ("n,,n=,r=" + NONCE).getBytes(US_ASCII)));
    }

    @Test
    void unknownMechanismOrPlusWithoutTlsIsRejected() throws Exception {
        byte[] first = ("n,,n=,r=" + NONCE).getBytes(US_ASCII);
        assertEquals("client selected an invalid SASL authentication mechanism",
                violation(() -> uncheckedServer().handleClientFirst("SCRAM-SHA-1", first)).getMessage());
        violation(() -> uncheckedServer().handleClientFirst("SCRAM-SHA-256-PLUS", first));
    }

    @Test
    void plusMechanismWithoutBindingFlagAndBindingWithoutPlusAreRejected() throws Exception {
        ScramServerSession tls = new ScramServerSession(ScramExchangeTest.alice(), ScramExchangeTest.CERT_HASH, false,
                () -> "S");
        violation(() -> tls.handleClientFirst("SCRAM-SHA-256-PLUS", ("n,,n=,r=" + NONCE).getBytes(US_ASCII)));
        ScramServerSession tls2 = new ScramServerSession(ScramExchangeTest.alice(), ScramExchangeTest.CERT_HASH, false,
                () -> "S");
        violation(() -> tls2.handleClientFirst("SCRAM-SHA-256",
                ("p=tls-server-end-point,,n=,r=" + NONCE).getBytes(US_ASCII)));
    }

    private static ScramServerSession uncheckedServer() {
        try {
            return server();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ScramServerSession afterFirst() throws Exception {
        ScramServerSession server = server();
        server.handleClientFirst("SCRAM-SHA-256", ("n,,n=,r=" + NONCE).getBytes(US_ASCII));
        return server;
    }

    private static final String PROOF = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

    @ParameterizedTest
    @ValueSource(strings = {"", "c=biws", "c=biws,r=" + NONCE + "SERVER", "c=biws,r=" + NONCE + "SERVER,p=",
            "c=b!ws,r=" + NONCE + "SERVER," + PROOF, "c=biws,r=" + NONCE + "SERVER,p=dHzbZapWIk4jUhN",
            "c=biws,r=" + NONCE + "SERVER,p=c2hvcnQ=", "c=biws,r=" + NONCE + "SERVER," + PROOF + ",x=1",
            "r=" + NONCE + "SERVER,c=biws," + PROOF})
    void malformedClientFinalIsAProtocolViolation(String message) throws Exception {
        ScramServerSession server = afterFirst();
        violation(() -> server.handleClientFinal(message.getBytes(US_ASCII)));
        assertFalse(server.succeeded());
    }

    @Test
    void nonceMismatchIsAProtocolViolation() throws Exception {
        ScramServerSession server = afterFirst();
        assertEquals("SCRAM nonce mismatch", violation(() -> server.handleClientFinal(
                ("c=biws,r=" + NONCE + "OTHER," + PROOF).getBytes(US_ASCII))).getMessage());
    }

    @Test
    void channelBindingHeaderMustRepeatTheFirstMessage() throws Exception {
        ScramServerSession server = afterFirst();
        // "eSws" is base64("y,,") while the first message said "n,,"
        assertEquals("SCRAM channel binding check failed", violation(() -> server.handleClientFinal(
                ("c=eSws,r=" + NONCE + "SERVER," + PROOF).getBytes(US_ASCII))).getMessage());
    }

    @Test
    void wrongProofIsAFailedLoginNotAViolation() throws Exception {
        ScramServerSession server = afterFirst();
        assertFalse(server.handleClientFinal(("c=biws,r=" + NONCE + "SERVER," + PROOF).getBytes(US_ASCII)));
    }

    @Test
    void replayedFinalMessageIsRejected() throws Exception {
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        ScramServerSession server = ScramServerSession.forVerifier(ScramExchangeTest.alice(), null);
        ScramClientSession.InitialResponse first = client.clientFirst(server.mechanisms(), null);
        byte[] clientFinal = client.clientFinal(server.handleClientFirst(first.mechanism(), first.clientFirstMessage()));
        assertTrue(server.handleClientFinal(clientFinal));
        violation(() -> server.handleClientFinal(clientFinal));

        // Replaying it into a fresh exchange fails too: the server nonce differs.
        ScramServerSession fresh = ScramServerSession.forVerifier(ScramExchangeTest.alice(), null);
        fresh.handleClientFirst(first.mechanism(), first.clientFirstMessage());
        assertEquals("SCRAM nonce mismatch", violation(() -> fresh.handleClientFinal(clientFinal)).getMessage());
    }

    @Test
    void finalBeforeFirstIsRejected() throws Exception {
        ScramServerSession server = server();
        violation(() -> server.handleClientFinal(("c=biws,r=" + NONCE + "," + PROOF).getBytes(US_ASCII)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "r=abc,s=QSXCR+Q6sek8bf92,i=4096", "r=NONCEx,s=!!!!,i=4096",
            "r=NONCEx,s=QSXCR+Q6sek8bf92,i=0", "r=NONCEx,s=QSXCR+Q6sek8bf92,i=-1", "r=NONCEx,s=QSXCR+Q6sek8bf92",
            "r=NONCE,s=QSXCR+Q6sek8bf92,i=4096", "m=x,r=NONCEx,s=QSXCR+Q6sek8bf92,i=4096",
            "r=NONCEx,s=QSXCR+Q6sek8bf92,i=40x"})
    void malformedServerFirstIsRejectedByTheClient(String message) {
        ScramClientSession client = new ScramClientSession("u", "", "pw", null, null, "NONCE");
        client.clientFirst(List.of("SCRAM-SHA-256"), null);
        violation(() -> client.clientFinal(message.getBytes(US_ASCII)));
    }

    @Test
    void serverErrorAttributeFailsTheLogin() {
        ScramClientSession client = new ScramClientSession("u", "", "pw", null, null, "NONCE");
        client.clientFirst(List.of("SCRAM-SHA-256"), null);
        client.clientFinal("r=NONCEx,s=QSXCR+Q6sek8bf92,i=1".getBytes(US_ASCII));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.verifyServerFinal("e=invalid-proof".getBytes(US_ASCII)));
        assertTrue(e.getMessage().contains("invalid-proof"));
    }

    @Test
    void backendOfferingNoScramIsAClearFailure() {
        ScramClientSession client = ScramClientSession.withPassword("u", "pw");
        assertThrows(AuthenticationException.class, () -> client.clientFirst(List.of("SCRAM-SHA-1"), null));
    }
}
