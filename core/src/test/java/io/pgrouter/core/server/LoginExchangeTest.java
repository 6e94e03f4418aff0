package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginExchangeTest {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    @Test
    void md5RequestIsAnsweredAsPostgresComputesIt() {
        LoginExchange login = new LoginExchange("postgres", Optional.of("secret"));
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
        LoginExchange login = new LoginExchange("alice", Optional.of("pw"));
        ByteBuf request = message('R', Unpooled.buffer().writeInt(3));
        LoginExchange.Reply reply = assertInstanceOf(LoginExchange.Reply.class, login.onMessage(request, alloc));
        request.release();
        assertEquals("pw\0", reply.message().toString(5, 3, StandardCharsets.UTF_8));
        reply.message().release();
    }

    @Test
    void aPasswordRequestWithoutASecretFailsWithInvalidAuthorization() {
        LoginExchange login = new LoginExchange("alice", Optional.empty());
        ByteBuf request = message('R', Unpooled.buffer().writeInt(3));
        LoginExchange.Failed failed = assertInstanceOf(LoginExchange.Failed.class, login.onMessage(request, alloc));
        request.release();
        assertEquals("28000", failed.error().sqlState());
    }

    @Test
    void collectsParametersAndKeyUntilReadyForQuery() {
        LoginExchange login = new LoginExchange("alice", Optional.empty());
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
        LoginExchange login = new LoginExchange("alice", Optional.empty());
        ByteBuf error = message('E', Unpooled.copiedBuffer(
                "SFATAL\0C28P01\0Mpassword authentication failed for user \"alice\"\0\0", StandardCharsets.UTF_8));
        LoginExchange.Failed failed = assertInstanceOf(LoginExchange.Failed.class, login.onMessage(error, alloc));
        error.release();
        assertEquals("28P01", failed.error().sqlState());
        assertEquals("password authentication failed for user \"alice\"", failed.error().getMessage());
        assertEquals("FATAL", failed.error().fields().get('S'));
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
