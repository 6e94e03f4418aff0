package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.MessageType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The messages that end a login after AuthenticationOk, for clients served from pooled
 * connections: the backend's ParameterStatus values, the session's BackendKeyData and an idle
 * ReadyForQuery, in one buffer (one write for a client that connects per transaction).
 */
final class Greeting {
    private Greeting() {
    }

    /** ParameterStatus messages, one per parameter, encoded once per backend connection. */
    static byte[] parameterStatusMessages(Map<String, String> parameters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        parameters.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            int length = 4 + n.length + 1 + v.length + 1;
            out.write(MessageType.Backend.PARAMETER_STATUS);
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.writeBytes(n);
            out.write(0);
            out.writeBytes(v);
            out.write(0);
        });
        return out.toByteArray();
    }

    /** The ParameterStatus messages, then BackendKeyData and ReadyForQuery (idle). */
    static ByteBuf rest(ByteBufAllocator alloc, byte[] parameterStatus, int processId, int secretKey) {
        return alloc.buffer(parameterStatus.length + 13 + 6).writeBytes(parameterStatus)
                .writeByte(MessageType.Backend.BACKEND_KEY_DATA).writeInt(12).writeInt(processId).writeInt(secretKey)
                .writeByte(MessageType.Backend.READY_FOR_QUERY).writeInt(5).writeByte(BackendMessages.IDLE);
    }
}
