package io.pgrouter.core.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoders and decoders for the authentication messages, both directions: the Authentication*
 * requests ('R') a server sends and the PasswordMessage, SASLInitialResponse and SASLResponse
 * ('p') a client answers with.
 *
 * <p>Decoders take a whole frame as {@code FrameDecoder} emits it (type byte, length, body), read
 * it without moving its indices and never release it: the caller owns it. Anything malformed is a
 * {@link ProtocolException} with SQLSTATE 08P01. Encoders return a new buffer the caller writes
 * (and so hands over).
 */
public final class AuthMessages {
    public static final byte AUTHENTICATION = 'R';
    public static final byte PASSWORD = 'p';

    public static final int AUTH_OK = 0;
    public static final int AUTH_CLEARTEXT_PASSWORD = 3;
    public static final int AUTH_MD5_PASSWORD = 5;
    public static final int AUTH_SASL = 10;
    public static final int AUTH_SASL_CONTINUE = 11;
    public static final int AUTH_SASL_FINAL = 12;

    private AuthMessages() {
    }

    // ---- server to client ----------------------------------------------------------------

    public static ByteBuf authenticationOk(ByteBufAllocator alloc) {
        return request(alloc, AUTH_OK, new byte[0]);
    }

    public static ByteBuf authenticationCleartextPassword(ByteBufAllocator alloc) {
        return request(alloc, AUTH_CLEARTEXT_PASSWORD, new byte[0]);
    }

    public static ByteBuf authenticationMd5Password(ByteBufAllocator alloc, byte[] salt) {
        if (salt.length != 4) {
            throw new IllegalArgumentException("md5 salt must be 4 bytes");
        }
        return request(alloc, AUTH_MD5_PASSWORD, salt);
    }

    public static ByteBuf authenticationSasl(ByteBufAllocator alloc, List<String> mechanisms) {
        ByteBuf buf = alloc.buffer();
        int lengthAt = header(buf, AUTHENTICATION);
        buf.writeInt(AUTH_SASL);
        for (String m : mechanisms) {
            cstring(buf, m);
        }
        buf.writeByte(0);
        return finish(buf, lengthAt);
    }

    public static ByteBuf authenticationSaslContinue(ByteBufAllocator alloc, byte[] data) {
        return request(alloc, AUTH_SASL_CONTINUE, data);
    }

    public static ByteBuf authenticationSaslFinal(ByteBufAllocator alloc, byte[] data) {
        return request(alloc, AUTH_SASL_FINAL, data);
    }

    private static ByteBuf request(ByteBufAllocator alloc, int code, byte[] data) {
        ByteBuf buf = alloc.buffer(9 + data.length);
        int lengthAt = header(buf, AUTHENTICATION);
        buf.writeInt(code);
        buf.writeBytes(data);
        return finish(buf, lengthAt);
    }

    // ---- client to server ----------------------------------------------------------------

    public static ByteBuf passwordMessage(ByteBufAllocator alloc, String password) {
        ByteBuf buf = alloc.buffer();
        int lengthAt = header(buf, PASSWORD);
        cstring(buf, password);
        return finish(buf, lengthAt);
    }

    public static ByteBuf saslInitialResponse(ByteBufAllocator alloc, String mechanism, byte[] data) {
        ByteBuf buf = alloc.buffer();
        int lengthAt = header(buf, PASSWORD);
        cstring(buf, mechanism);
        buf.writeInt(data.length);
        buf.writeBytes(data);
        return finish(buf, lengthAt);
    }

    public static ByteBuf saslResponse(ByteBufAllocator alloc, byte[] data) {
        ByteBuf buf = alloc.buffer(5 + data.length);
        int lengthAt = header(buf, PASSWORD);
        buf.writeBytes(data);
        return finish(buf, lengthAt);
    }

    // ---- decoding what a client sends ----------------------------------------------------

    /** A SASLInitialResponse: the chosen mechanism and the client-first-message. */
    public record SaslInitialResponse(String mechanism, byte[] data) {
    }

    /** The password of a PasswordMessage (cleartext or the md5 answer). */
    public static String decodePasswordMessage(ByteBuf frame) {
        Reader r = new Reader(frame, PASSWORD, "password packet");
        String password = r.cstring();
        r.expectEnd();
        return password;
    }

    /** A SASLInitialResponse; SCRAM needs the initial data, so its absence (-1) is malformed too. */
    public static SaslInitialResponse decodeSaslInitialResponse(ByteBuf frame) {
        Reader r = new Reader(frame, PASSWORD, "SASLInitialResponse");
        String mechanism = r.cstring();
        int length = r.int32();
        if (length < 0 || length != r.remaining()) {
            throw r.malformed("its data length " + length + " does not match the " + r.remaining() + " bytes left");
        }
        return new SaslInitialResponse(mechanism, r.bytes(length));
    }

    /** The data of a SASLResponse (the client-final-message). */
    public static byte[] decodeSaslResponse(ByteBuf frame) {
        Reader r = new Reader(frame, PASSWORD, "SASLResponse");
        return r.bytes(r.remaining());
    }

    // ---- decoding what a server sends ----------------------------------------------------

    /**
     * An Authentication* request from a backend. {@code data} is the md5 salt, the SASL data, or
     * empty; {@code mechanisms} is only filled for AuthenticationSASL.
     */
    public record AuthRequest(int code, byte[] data, List<String> mechanisms) {
    }

    public static AuthRequest decodeAuthentication(ByteBuf frame) {
        Reader r = new Reader(frame, AUTHENTICATION, "authentication request");
        int code = r.int32();
        switch (code) {
            case AUTH_OK, AUTH_CLEARTEXT_PASSWORD -> {
                r.expectEnd();
                return new AuthRequest(code, new byte[0], List.of());
            }
            case AUTH_MD5_PASSWORD -> {
                byte[] salt = r.bytes(4);
                r.expectEnd();
                return new AuthRequest(code, salt, List.of());
            }
            case AUTH_SASL -> {
                List<String> mechanisms = new ArrayList<>();
                for (String m = r.cstring(); !m.isEmpty(); m = r.cstring()) {
                    mechanisms.add(m);
                }
                r.expectEnd();
                return new AuthRequest(code, new byte[0], List.copyOf(mechanisms));
            }
            default -> {
                // SASL data, or Kerberos, GSSAPI, SSPI...: legal, but for the caller to refuse.
                return new AuthRequest(code, r.bytes(r.remaining()), List.of());
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static int header(ByteBuf buf, byte type) {
        buf.writeByte(type);
        int lengthAt = buf.writerIndex();
        buf.writeInt(0);
        return lengthAt;
    }

    private static ByteBuf finish(ByteBuf buf, int lengthAt) {
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
        return buf;
    }

    private static void cstring(ByteBuf buf, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("NUL in a protocol string");
            }
        }
        buf.writeBytes(bytes);
        buf.writeByte(0);
    }

    /** Reads a frame by absolute index, checking its header and every length against the bytes there. */
    private static final class Reader {
        private final ByteBuf frame;
        private final String what;
        private final int end;
        private int pos;

        Reader(ByteBuf frame, byte type, String what) {
            this.frame = frame;
            this.what = what;
            int start = frame.readerIndex();
            this.end = frame.writerIndex();
            if (frame.readableBytes() < 5) {
                throw malformed("it is truncated");
            }
            if (frame.getByte(start) != type) {
                throw malformed("expected message type '" + (char) type + "', got 0x"
                        + Integer.toHexString(frame.getByte(start) & 0xff));
            }
            int length = frame.getInt(start + 1);
            if (length != frame.readableBytes() - 1) {
                throw malformed("its length " + length + " does not match its " + (frame.readableBytes() - 1) + " bytes");
            }
            this.pos = start + 5;
        }

        int remaining() {
            return end - pos;
        }

        int int32() {
            need(4);
            int v = frame.getInt(pos);
            pos += 4;
            return v;
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = new byte[n];
            frame.getBytes(pos, out);
            pos += n;
            return out;
        }

        String cstring() {
            int nul = frame.indexOf(pos, end, (byte) 0);
            if (nul < 0) {
                throw malformed("a string is not terminated");
            }
            String s = frame.toString(pos, nul - pos, StandardCharsets.UTF_8);
            pos = nul + 1;
            return s;
        }

        void expectEnd() {
            if (pos != end) {
                throw malformed((end - pos) + " unexpected bytes at its end");
            }
        }

        private void need(int n) {
            if (n > remaining()) {
                throw malformed("it is truncated");
            }
        }

        ProtocolException malformed(String detail) {
            return new ProtocolException(SqlState.PROTOCOL_VIOLATION, "invalid " + what + ": " + detail);
        }
    }
}
