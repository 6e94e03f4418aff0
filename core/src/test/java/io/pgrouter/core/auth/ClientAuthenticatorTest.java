package io.pgrouter.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.pgrouter.core.protocol.ProtocolException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * pgrouter's server side of client authentication, driven by its own client side
 * ({@link BackendAuthenticator}, which logs into real PostgreSQL servers in the e2e tests), over
 * real wire-format buffers: each frame one side writes is what the other side reads.
 */
class ClientAuthenticatorTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Test
    void scramAgainstAPostgresVerifierSucceedsAndRevealsAClientKeyThatLogsInElsewhere() throws Exception {
        UserSecret.Scram stored = new UserSecret.Scram(ScramExchangeTest.alice());
        ClientAuthenticator server = new ClientAuthenticator(ClientAuthPlan.SCRAM, "alice", Optional.of(stored), null);
        exchange(server, new BackendAuthenticator("alice", new UserSecret.Plaintext("correct horse"), null, null));
        byte[] clientKey = server.clientKey();
        assertNotNull(clientKey);

        // What pgrouter does towards a backend holding the same verifier: no password, only the key.
        ClientAuthenticator backend = new ClientAuthenticator(ClientAuthPlan.SCRAM, "alice", Optional.of(stored), null);
        exchange(backend, new BackendAuthenticator("alice", stored, clientKey, null));
        assertTrue(backend.succeeded());
    }

    @Test
    void scramPlusIsChosenWhenBothSidesHaveTheChannelBinding() throws Exception {
        byte[] binding = ScramExchangeTest.CERT_HASH;
        ClientAuthenticator server = new ClientAuthenticator(ClientAuthPlan.SCRAM, "alice",
                Optional.of(new UserSecret.Scram(ScramExchangeTest.alice())), binding);
        exchange(server, new BackendAuthenticator("alice", new UserSecret.Plaintext("correct horse"), null, binding));
        assertTrue(server.channelBound());
    }

    @Test
    void md5ChallengeAgainstAStoredHashAndCleartextAgainstAVerifier() throws Exception {
        UserSecret.Md5Hash hash = new UserSecret.Md5Hash(Md5Password.hash("bob", "bob-pw"));
        ClientAuthenticator md5 = new ClientAuthenticator(ClientAuthPlan.MD5, "bob", Optional.of(hash), null);
        exchange(md5, new BackendAuthenticator("bob", new UserSecret.Plaintext("bob-pw"), null, null));
        assertNull(md5.clientKey(), "only SCRAM reveals a key");

        ClientAuthenticator clear = new ClientAuthenticator(ClientAuthPlan.CLEARTEXT, "alice",
                Optional.of(new UserSecret.Scram(ScramExchangeTest.alice())), null);
        exchange(clear, new BackendAuthenticator("alice", new UserSecret.Plaintext("correct horse"), null, null));
    }

    @Test
    void wrongSecretsAndUnknownUsersFailTheSameWayAfterTheWholeExchange() {
        UserSecret.Md5Hash hash = new UserSecret.Md5Hash(Md5Password.hash("bob", "bob-pw"));
        assertFailed("bob", () -> exchange(new ClientAuthenticator(ClientAuthPlan.MD5, "bob", Optional.of(hash), null),
                new BackendAuthenticator("bob", new UserSecret.Plaintext("guess"), null, null)));
        assertFailed("eve", () -> exchange(new ClientAuthenticator(ClientAuthPlan.SCRAM, "eve", Optional.empty(), null),
                new BackendAuthenticator("eve", new UserSecret.Plaintext("anything"), null, null)));
        assertFailed("eve", () -> exchange(new ClientAuthenticator(ClientAuthPlan.CLEARTEXT, "eve", Optional.empty(), null),
                new BackendAuthenticator("eve", new UserSecret.Plaintext("anything"), null, null)));
        // An md5 hash cannot do SCRAM: a mock exchange that fails like a wrong password.
        assertFailed("bob", () -> exchange(new ClientAuthenticator(ClientAuthPlan.SCRAM, "bob", Optional.of(hash), null),
                new BackendAuthenticator("bob", new UserSecret.Plaintext("bob-pw"), null, null)));
    }

    @Test
    void trustSucceedsAtOnceAndAnythingButAPasswordMessageIsAViolation() {
        ClientAuthenticator trust = new ClientAuthenticator(ClientAuthPlan.TRUST, "t", Optional.empty(), null);
        ByteBuf ok = trust.begin(alloc);
        assertEquals(AuthMessages.AUTHENTICATION, ok.getByte(0));
        assertEquals(AuthMessages.AUTH_OK, ok.getInt(5));
        ok.release();
        assertTrue(trust.succeeded());

        ClientAuthenticator md5 = new ClientAuthenticator(ClientAuthPlan.MD5, "t", Optional.empty(), null);
        md5.begin(alloc).release();
        ByteBuf query = alloc.buffer().writeByte('Q').writeInt(5).writeByte(0);
        try {
            ProtocolException e = assertThrows(ProtocolException.class, () -> md5.onMessage(query, alloc));
            assertEquals("08P01", e.sqlState());
        } finally {
            query.release();
        }
    }

    private static void assertFailed(String user, org.junit.jupiter.api.function.Executable exchange) {
        AuthenticationException e = assertThrows(AuthenticationException.class, exchange);
        assertEquals("28P01", e.sqlState());
        assertEquals("password authentication failed for user \"" + user + "\"", e.getMessage());
    }

    /** Plays the exchange to its end: pgrouter's answers go to the client, the client's back. */
    private void exchange(ClientAuthenticator server, BackendAuthenticator client) {
        ByteBuf toClient = server.begin(alloc);
        for (int round = 0; round < 5; round++) {
            ByteBuf toServer = null;
            try {
                while (toClient.isReadable()) { // SASLFinal and AuthenticationOk come in one buffer
                    int length = toClient.getInt(toClient.readerIndex() + 1);
                    ByteBuf frame = toClient.readSlice(length + 1);
                    ByteBuf reply = client.handle(frame, alloc);
                    if (reply != null) {
                        toServer = reply;
                    }
                }
            } finally {
                toClient.release();
            }
            if (client.authenticated()) {
                assertTrue(server.succeeded());
                assertNull(toServer);
                return;
            }
            try {
                toClient = server.onMessage(toServer, alloc);
            } finally {
                toServer.release();
            }
        }
        throw new AssertionError("the exchange did not end");
    }
}
