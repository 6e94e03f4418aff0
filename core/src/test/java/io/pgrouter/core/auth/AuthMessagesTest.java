package io.pgrouter.core.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AuthMessagesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Hex of a buffer, then released: every test buffer goes through here or {@link #withFrame}. */
    private static String hexAndRelease(ByteBuf buf) {
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    private static <T> T withFrame(ByteBuf frame, Function<ByteBuf, T> decode) {
        try {
            int before = frame.readerIndex();
            T result = decode.apply(frame);
            assertEquals(before, frame.readerIndex(), "decoders must not move the caller's indices");
            return result;
        } finally {
            frame.release();
        }
    }

    private static ByteBuf frame(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    @Test
    void encodesServerRequestsByteForByte() {
        assertEquals("520000000800000000", hexAndRelease(AuthMessages.authenticationOk(ALLOC)));
        assertEquals("520000000800000003", hexAndRelease(AuthMessages.authenticationCleartextPassword(ALLOC)));
        assertEquals("520000000c0000000501020304",
                hexAndRelease(AuthMessages.authenticationMd5Password(ALLOC, new byte[] {1, 2, 3, 4})));
        // R, length 23+4+1..., code 10, "SCRAM-SHA-256\0", "\0"
        assertEquals("52" + "00000017" + "0000000a" + ByteBufUtil.hexDump("SCRAM-SHA-256".getBytes(US_ASCII)) + "00" + "00",
                hexAndRelease(AuthMessages.authenticationSasl(ALLOC, List.of("SCRAM-SHA-256"))));
        assertEquals("520000000b0000000b616263", hexAndRelease(AuthMessages.authenticationSaslContinue(ALLOC, "abc".getBytes(US_ASCII))));
        assertEquals("520000000a0000000c7879", hexAndRelease(AuthMessages.authenticationSaslFinal(ALLOC, "xy".getBytes(US_ASCII))));
    }

    @Test
    void clientMessagesRoundTrip() {
        assertEquals("s3cret", withFrame(AuthMessages.passwordMessage(ALLOC, "s3cret"), AuthMessages::decodePasswordMessage));
        AuthMessages.SaslInitialResponse initial = withFrame(
                AuthMessages.saslInitialResponse(ALLOC, "SCRAM-SHA-256", "n,,n=,r=x".getBytes(US_ASCII)),
                AuthMessages::decodeSaslInitialResponse);
        assertEquals("SCRAM-SHA-256", initial.mechanism());
        assertEquals("n,,n=,r=x", new String(initial.data(), US_ASCII));
        assertEquals("c=biws", new String(withFrame(AuthMessages.saslResponse(ALLOC, "c=biws".getBytes(US_ASCII)),
                AuthMessages::decodeSaslResponse), US_ASCII));
    }

    @Test
    void serverRequestsRoundTrip() {
        AuthMessages.AuthRequest sasl = withFrame(
                AuthMessages.authenticationSasl(ALLOC, List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")),
                AuthMessages::decodeAuthentication);
        assertEquals(AuthMessages.AUTH_SASL, sasl.code());
        assertEquals(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), sasl.mechanisms());
        AuthMessages.AuthRequest md5 = withFrame(AuthMessages.authenticationMd5Password(ALLOC, new byte[] {9, 8, 7, 6}),
                AuthMessages::decodeAuthentication);
        assertArrayEquals(new byte[] {9, 8, 7, 6}, md5.data());
        assertEquals(AuthMessages.AUTH_OK, withFrame(AuthMessages.authenticationOk(ALLOC), AuthMessages::decodeAuthentication).code());
        assertEquals(7, withFrame(frame("520000000800000007"), AuthMessages::decodeAuthentication).code(), "GSS: caller refuses");
    }

    private static void malformed(String hex, Function<ByteBuf, ?> decode) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> withFrame(frame(hex), decode));
        assertEquals(SqlState.PROTOCOL_VIOLATION, e.sqlState());
    }

    @Test
    void malformedClientMessagesAreProtocolViolations() {
        malformed("", AuthMessages::decodePasswordMessage);
        malformed("70000000", AuthMessages::decodePasswordMessage);                 // truncated header
        malformed("510000000500", AuthMessages::decodePasswordMessage);              // wrong type
        malformed("700000000561", AuthMessages::decodePasswordMessage);              // no terminator
        malformed("70000000076100", AuthMessages::decodePasswordMessage);            // length says 7, 6 there
        malformed("7000000007610062", AuthMessages::decodePasswordMessage);          // trailing byte
        malformed("700000000a4d00000000ff", AuthMessages::decodeSaslInitialResponse); // says 255 bytes, has none
        malformed("700000000a4d00000000", AuthMessages::decodeSaslInitialResponse);  // lies about its length
        malformed("700000000a4d00ffffffff", AuthMessages::decodeSaslInitialResponse); // -1: no initial data
        malformed("700000000a4d0000000005", AuthMessages::decodeSaslInitialResponse); // says 5, has 0
        malformed("70000000064d41", AuthMessages::decodeSaslInitialResponse);        // no terminator
        malformed("7000000007", AuthMessages::decodeSaslResponse);
    }

    @Test
    void malformedServerMessagesAreProtocolViolations() {
        malformed("5200000008000000", AuthMessages::decodeAuthentication);          // truncated
        malformed("52000000090000000501", AuthMessages::decodeAuthentication);       // md5 salt cut short
        malformed("520000000d000000050102030405", AuthMessages::decodeAuthentication); // md5 salt too long
        malformed("520000000c0000000a41424300", AuthMessages::decodeAuthentication); // SASL list unterminated
        malformed("52000000090000000000", AuthMessages::decodeAuthentication);       // Ok with a tail
    }
}
