package io.pgrouter.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * pgrouter logging into a "backend" played by the server-side classes, over real encoded messages:
 * what the connection code will do, minus the sockets.
 */
class BackendAuthenticatorTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Hands a backend frame to the authenticator, releasing it; returns the reply (caller releases). */
    private static ByteBuf feed(BackendAuthenticator auth, ByteBuf backendFrame) {
        try {
            return auth.handle(backendFrame, ALLOC);
        } finally {
            backendFrame.release();
        }
    }

    /** Plays a SCRAM backend holding {@code verifier}; returns whether the login succeeded. */
    private static boolean scramBackend(BackendAuthenticator auth, ScramVerifier verifier) {
        ScramServerSession backend = ScramServerSession.forVerifier(verifier, null);
        ByteBuf initial = feed(auth, AuthMessages.authenticationSasl(ALLOC, backend.mechanisms()));
        AuthMessages.SaslInitialResponse first;
        try {
            first = AuthMessages.decodeSaslInitialResponse(initial);
        } finally {
            initial.release();
        }
        byte[] serverFirst = backend.handleClientFirst(first.mechanism(), first.data());
        ByteBuf response = feed(auth, AuthMessages.authenticationSaslContinue(ALLOC, serverFirst));
        boolean ok;
        try {
            ok = backend.handleClientFinal(AuthMessages.decodeSaslResponse(response));
        } finally {
            response.release();
        }
        if (!ok) {
            return false;
        }
        assertNull(feed(auth, AuthMessages.authenticationSaslFinal(ALLOC, backend.serverFinal())));
        assertNull(feed(auth, AuthMessages.authenticationOk(ALLOC)));
        return auth.authenticated();
    }

    @Test
    void scramPassthroughWithTheClientsKey() throws Exception {
        ScramServerSession front = ScramExchangeTest.login(ScramServerSession.forVerifier(ScramExchangeTest.alice(), null),
                ScramClientSession.withPassword("alice", "correct horse"), null);
        BackendAuthenticator auth = new BackendAuthenticator("alice",
                new UserSecret.Scram(ScramExchangeTest.alice()), front.clientKey(), null);
        assertTrue(scramBackend(auth, ScramExchangeTest.alice()));
    }

    @Test
    void scramWithAPlaintextPassword() throws Exception {
        BackendAuthenticator auth = new BackendAuthenticator("alice", new UserSecret.Plaintext("correct horse"), null, null);
        assertTrue(scramBackend(auth, ScramExchangeTest.alice()));
    }

    @Test
    void scramVerifierWithoutClientKeyCannotLogIn() throws Exception {
        BackendAuthenticator auth = new BackendAuthenticator("alice", new UserSecret.Scram(ScramExchangeTest.alice()), null, null);
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> scramBackend(auth, ScramExchangeTest.alice()));
        assertTrue(e.getMessage().contains("only a SCRAM verifier"), e.getMessage());
    }

    @Test
    void md5FromAStoredHashAndFromAPassword() {
        byte[] salt = {5, 6, 7, 8};
        for (UserSecret secret : new UserSecret[] {new UserSecret.Md5Hash(Md5PasswordTest.BOB),
                new UserSecret.Plaintext("battery staple")}) {
            BackendAuthenticator auth = new BackendAuthenticator("bob", secret, null, null);
            ByteBuf reply = feed(auth, AuthMessages.authenticationMd5Password(ALLOC, salt));
            try {
                assertTrue(Md5Password.verify(new UserSecret.Md5Hash(Md5PasswordTest.BOB), "bob", salt,
                        AuthMessages.decodePasswordMessage(reply)));
            } finally {
                reply.release();
            }
            assertFalse(auth.authenticated());
            assertNull(feed(auth, AuthMessages.authenticationOk(ALLOC)));
            assertTrue(auth.authenticated());
        }
    }

    @Test
    void cleartextNeedsThePassword() {
        BackendAuthenticator auth = new BackendAuthenticator("carol", new UserSecret.Plaintext("pw"), null, null);
        ByteBuf reply = feed(auth, AuthMessages.authenticationCleartextPassword(ALLOC));
        try {
            assertEquals("pw", AuthMessages.decodePasswordMessage(reply));
        } finally {
            reply.release();
        }
        BackendAuthenticator hashOnly = new BackendAuthenticator("bob", new UserSecret.Md5Hash(Md5PasswordTest.BOB), null, null);
        assertThrows(AuthenticationException.class, () -> feed(hashOnly, AuthMessages.authenticationCleartextPassword(ALLOC)));
    }

    @Test
    void backendSkippingSaslFinalIsRefused() throws Exception {
        BackendAuthenticator auth = new BackendAuthenticator("alice", new UserSecret.Plaintext("correct horse"), null, null);
        ByteBuf initial = feed(auth, AuthMessages.authenticationSasl(ALLOC, java.util.List.of("SCRAM-SHA-256")));
        initial.release();
        assertThrows(AuthenticationException.class, () -> feed(auth, AuthMessages.authenticationOk(ALLOC)));
    }
}
