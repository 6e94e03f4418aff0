package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.pipeline.BackendLoginException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * pgrouter logging into a backend on a client's behalf: answers the authentication request,
 * then collects ParameterStatus and BackendKeyData until ReadyForQuery. Driven one message at a
 * time by the backend connection, on its event loop.
 */
final class LoginExchange {
    private static final int AUTH_OK = 0;
    private static final int AUTH_CLEARTEXT = 3;
    private static final int AUTH_MD5 = 5;
    private static final int AUTH_SASL = 10;

    private final String user;
    private final Optional<String> password;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private int processId;
    private int secretKey;

    /** What the exchange wants done after a message. */
    sealed interface Step permits Reply, Done, Failed, Wait {
    }

    /** Send this to the backend and wait for more. */
    record Reply(ByteBuf message) implements Step {
    }

    /** Logged in: the backend is ready for queries. */
    record Done(Map<String, String> parameters, int processId, int secretKey) implements Step {
    }

    record Failed(BackendLoginException error) implements Step {
    }

    /** Nothing to do; wait for the next message. */
    record Wait() implements Step {
    }

    private static final Wait WAIT = new Wait();

    LoginExchange(String user, Optional<String> password) {
        this.user = user;
        this.password = password;
    }

    /** Reads one backend message (without taking over its reference) and says what comes next. */
    Step onMessage(ByteBuf m, ByteBufAllocator alloc) {
        int at = m.readerIndex();
        byte type = m.getByte(at);
        switch (type) {
            case 'R':
                return authentication(m.getInt(at + 5), m, at + 9, alloc);
            case 'S': {
                int nameEnd = m.indexOf(at + 5, m.writerIndex(), (byte) 0);
                int valueEnd = m.indexOf(nameEnd + 1, m.writerIndex(), (byte) 0);
                if (nameEnd > 0 && valueEnd > 0) {
                    parameters.put(m.toString(at + 5, nameEnd - at - 5, StandardCharsets.UTF_8),
                            m.toString(nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
                }
                return WAIT;
            }
            case 'K':
                processId = m.getInt(at + 5);
                secretKey = m.getInt(at + 9);
                return WAIT;
            case 'Z':
                return new Done(Map.copyOf(parameters), processId, secretKey);
            case 'E': {
                Map<Character, String> fields = errorFields(m);
                return new Failed(new BackendLoginException(fields.getOrDefault('C', SqlState.CONNECTION_FAILURE),
                        fields.getOrDefault('M', "the backend refused the login"), fields));
            }
            default:
                return WAIT; // NoticeResponse, NegotiateProtocolVersion: nothing to answer
        }
    }

    private Step authentication(int kind, ByteBuf m, int body, ByteBufAllocator alloc) {
        switch (kind) {
            case AUTH_OK:
                return WAIT;
            case AUTH_CLEARTEXT:
                return password.<Step>map(p -> new Reply(passwordMessage(alloc, p))).orElseGet(this::noSecret);
            case AUTH_MD5: {
                byte[] salt = new byte[4];
                m.getBytes(body, salt);
                return password.<Step>map(p -> new Reply(passwordMessage(alloc, md5(p, salt)))).orElseGet(this::noSecret);
            }
            case AUTH_SASL:
                return new Failed(new BackendLoginException("28000", "pgrouter cannot answer the backend's SCRAM "
                        + "authentication for user \"" + user + "\" yet", Map.of()));
            default:
                return new Failed(new BackendLoginException(SqlState.FEATURE_NOT_SUPPORTED,
                        "the backend asks for an authentication method pgrouter does not support (" + kind + ")",
                        Map.of()));
        }
    }

    private Step noSecret() {
        return new Failed(new BackendLoginException("28000", "the backend asks for a password and pgrouter holds "
                + "none for user \"" + user + "\"", Map.of()));
    }

    /** PostgreSQL's md5 method: "md5" + md5(md5(password + user) + salt), in hex. */
    private String md5(String secret, byte[] salt) {
        String inner = hex(digest(secret.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8)));
        return "md5" + hex(digest(inner.getBytes(StandardCharsets.US_ASCII), salt));
    }

    private static byte[] digest(byte[] a, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(a);
            md.update(b);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    private static ByteBuf passwordMessage(ByteBufAllocator alloc, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(6 + bytes.length).writeByte('p').writeInt(5 + bytes.length).writeBytes(bytes).writeByte(0);
    }

    /** The fields of an ErrorResponse or NoticeResponse, by code. */
    static Map<Character, String> errorFields(ByteBuf m) {
        Map<Character, String> fields = new HashMap<>();
        int i = m.readerIndex() + 5;
        int end = m.writerIndex();
        while (i < end && m.getByte(i) != 0) {
            char code = (char) m.getByte(i);
            int valueEnd = m.indexOf(i + 1, end, (byte) 0);
            if (valueEnd < 0) {
                break;
            }
            fields.put(code, m.toString(i + 1, valueEnd - i - 1, StandardCharsets.UTF_8));
            i = valueEnd + 1;
        }
        return fields;
    }
}
