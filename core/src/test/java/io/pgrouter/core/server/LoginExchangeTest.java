package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.auth.UserSecret;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoginExchangeTest {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    @Test
    void md5RequestIsAnsweredAsPostgresComputesIt() {
        LoginExchange login = login("postgres", "secret");
        ByteBuf request = message('R', Unpooled.buffer().writeInt(5).writeBytes(new byte[] {1, 2, 3, 4}));
        LoginExchange.Reply reply = assertInstanceOf(LoginExchange.Reply.class, login.onMessage(request, alloc));
        request.release();
        ByteBuf p = reply.message();
        assertEquals('p', p.readByte());
        int length = p.readInt();
        assertEquals(p.readableBytes() + 4, length);
        // md5 + md5(md5("secret" + "postgres") + salt), as computed independently (Python hashlib)
        assertEquals("md5bb41a296aab6baccb36ff243a562abff\0", p.toString(StandardCharsets.UTF_8));
        p.release();
    }

    @Test
    void cleartextRequestSendsThePassword() {
        LoginExchange login = login("alice", "pw");
        ByteBuf request = message('R', Unpooled.buffer().writeInt(3));
        LoginExchange.Reply reply = assertInstanceOf(LoginExchange.Reply.class, login.onMessage(request, alloc));
        request.release();
        assertEquals("pw\0", reply.message().toString(5, 3, StandardCharsets.UTF_8));
        reply.message().release();
    }

    @Test
    void aPasswordRequestWithoutASecretFailsWithInvalidAuthorization() {
        LoginExchange login = login("alice", null);
        ByteBuf request = message('R', Unpooled.buffer().writeInt(3));
        LoginExchange.Failed failed = assertInstanceOf(LoginExchange.Failed.class, login.onMessage(request, alloc));
        request.release();
        assertEquals("28000", failed.error().sqlState());
    }

    @Test
    void collectsParametersAndKeyUntilReadyForQuery() {
        LoginExchange login = login("alice", null);
        step(login, message('R', Unpooled.buffer().writeInt(0)));
        step(login, message('S', Unpooled.copiedBuffer("server_version\u000015.4\u0000", StandardCharsets.UTF_8)));
        step(login, message('K', Unpooled.buffer().writeInt(4242).writeInt(-99)));
        ByteBuf ready = message('Z', Unpooled.buffer().writeByte('I'));
        LoginExchange.Done done = assertInstanceOf(LoginExchange.Done.class, login.onMessage(ready, alloc));
        ready.release();
        assertEquals(Map.of("server_version", "15.4"), done.parameters());
        assertEquals(4242, done.processId());
        assertEquals(-99, done.secretKey());
    }

    @Test
    void anErrorResponseFailsWithTheBackendsCodeAndMessage() {
        LoginExchange login = login("alice", null);
        ByteBuf error = message('E', Unpooled.copiedBuffer(
                "SFATAL\0C28P01\0Mpassword authentication failed for user \"alice\"\0\0", StandardCharsets.UTF_8));
        LoginExchange.Failed failed = assertInstanceOf(LoginExchange.Failed.class, login.onMessage(error, alloc));
        error.release();
        assertEquals("28P01", failed.error().sqlState());
        assertEquals("password authentication failed for user \"alice\"", failed.error().getMessage());
        assertEquals("FATAL", failed.error().fields().get('S'));
    }

    @Test
    void relayingAfterAuthenticationEndsAtAuthenticationOk() {
        LoginExchange login = new LoginExchange(new BackendAuthenticator("alice", null, null, null), true);
        ByteBuf ok = message('R', Unpooled.buffer().writeInt(0));
        assertInstanceOf(LoginExchange.Done.class, login.onMessage(ok, alloc), "the rest is for the pipeline");
        ok.release();
    }

    @Test
    void aScramRequestWithOnlyAnMd5HashFailsNamingTheMismatch() {
        LoginExchange login = new LoginExchange(new BackendAuthenticator("alice",
                new UserSecret.Md5Hash("md5" + "0".repeat(32)), null, null), false);
        ByteBuf sasl = message('R', Unpooled.buffer().writeInt(10)
                .writeBytes("SCRAM-SHA-256".getBytes(StandardCharsets.US_ASCII)).writeByte(0).writeByte(0));
        LoginExchange.Failed failed = assertInstanceOf(LoginExchange.Failed.class, login.onMessage(sasl, alloc));
        sasl.release();
        assertEquals("28000", failed.error().sqlState());
        assertTrue(failed.error().getMessage().contains("holds only an md5 hash"), failed.error().getMessage());
    }

    private static LoginExchange login(String user, String password) {
        UserSecret secret = password == null ? null : new UserSecret.Plaintext(password);
        return new LoginExchange(new BackendAuthenticator(user, secret, null, null), false);
    }

    private void step(LoginExchange login, ByteBuf m) {
        assertInstanceOf(LoginExchange.Wait.class, login.onMessage(m, alloc));
        m.release();
    }

    private static ByteBuf message(char type, ByteBuf body) {
        ByteBuf m = Unpooled.buffer().writeByte(type).writeInt(body.readableBytes() + 4).writeBytes(body);
        body.release();
        return m;
    }
}
