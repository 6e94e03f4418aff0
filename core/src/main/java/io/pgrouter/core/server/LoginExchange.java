package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.auth.AuthenticationException;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pgrouter logging into a backend on a client's behalf: answers the authentication requests
 * (through a {@link BackendAuthenticator}), then collects ParameterStatus and BackendKeyData until
 * ReadyForQuery. Driven one message at a
 * time by the backend connection, on its event loop.
 */
final class LoginExchange {
    private final BackendAuthenticator authenticator;
    private final boolean relayAfterAuthentication;
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

    /**
     * @param relayAfterAuthentication end at AuthenticationOk, leaving ParameterStatus,
     *     BackendKeyData and ReadyForQuery to whoever reads the backend next (the primary of a
     *     session whose client pgrouter authenticated: its pipeline relays them to the client)
     */
    LoginExchange(BackendAuthenticator authenticator, boolean relayAfterAuthentication) {
        this.authenticator = authenticator;
        this.relayAfterAuthentication = relayAfterAuthentication;
    }

    /** Reads one backend message (without taking over its reference) and says what comes next. */
    Step onMessage(ByteBuf m, ByteBufAllocator alloc) {
        int at = m.readerIndex();
        byte type = m.getByte(at);
        switch (type) {
            case MessageType.Backend.AUTHENTICATION:
                return authentication(m, alloc);
            case MessageType.Backend.PARAMETER_STATUS: {
                int body = at + Messages.HEADER;
                int nameEnd = m.indexOf(body, m.writerIndex(), (byte) 0);
                int valueEnd = m.indexOf(nameEnd + 1, m.writerIndex(), (byte) 0);
                if (nameEnd > 0 && valueEnd > 0) {
                    parameters.put(m.toString(body, nameEnd - body, StandardCharsets.UTF_8),
                            m.toString(nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
                }
                return WAIT;
            }
            case MessageType.Backend.BACKEND_KEY_DATA:
                processId = m.getInt(at + Messages.HEADER);
                secretKey = m.getInt(at + Messages.HEADER + 4);
                return WAIT;
            case MessageType.Backend.READY_FOR_QUERY:
                return new Done(Map.copyOf(parameters), processId, secretKey);
            case MessageType.Backend.ERROR_RESPONSE: {
                Map<Character, String> fields = errorFields(m);
                return new Failed(new BackendLoginException(
                        fields.getOrDefault((char) BackendMessages.FIELD_SQLSTATE, SqlState.CONNECTION_FAILURE),
                        fields.getOrDefault((char) BackendMessages.FIELD_MESSAGE, "the backend refused the login"), fields));
            }
            default:
                return WAIT; // NoticeResponse, NegotiateProtocolVersion: nothing to answer
        }
    }

    private Step authentication(ByteBuf m, ByteBufAllocator alloc) {
        try {
            ByteBuf reply = authenticator.handle(m, alloc);
            if (reply != null) {
                return new Reply(reply);
            }
        } catch (AuthenticationException | ProtocolException e) {
            String sqlState = e instanceof AuthenticationException ae ? ae.sqlState() : ((ProtocolException) e).sqlState();
            return new Failed(new BackendLoginException(sqlState, e.getMessage(), Map.of()));
        }
        if (authenticator.authenticated() && relayAfterAuthentication) {
            return new Done(Map.of(), 0, 0);
        }
        return WAIT;
    }

    /** The fields of an ErrorResponse or NoticeResponse, by code. */
    static Map<Character, String> errorFields(ByteBuf m) {
        Map<Character, String> fields = new HashMap<>();
        int i = m.readerIndex() + Messages.HEADER;
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
