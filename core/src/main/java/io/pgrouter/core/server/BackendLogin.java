package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.protocol.MessageType;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The login of one backend connection and what it told: pgrouter's own exchange on a client's
 * behalf (and who waits for it), or a login relayed to the client, whose BackendKeyData carries
 * the session's cancel key instead of the backend's. Either way it keeps the backend's
 * parameters and cancel key, for its sessions and for a cancel that goes through pgrouter.
 * Runs on the connection's event loop, like its {@link BackendConnection}.
 */
final class BackendLogin {
    /** While pgrouter logs in on the client's behalf: the exchange and who waits for it. */
    private LoginExchange exchange;
    private CompletableFuture<Backend> loggedIn;
    private Map<String, String> parameters = Map.of();
    private byte[] parameterStatus;
    private int processId;
    private int secretKey;
    /**
     * A relayed login is under way: the session's own cancel key replaces the backend's in the
     * BackendKeyData on its way to the client (the backend's is kept here, so that a cancel goes
     * through pgrouter to it).
     */
    private boolean relaying;
    private int clientProcessId;
    private int clientSecretKey;

    /** pgrouter logs in with {@code exchange}; {@code result} completes at ReadyForQuery. */
    void start(LoginExchange exchange, CompletableFuture<Backend> result) {
        this.exchange = exchange;
        this.loggedIn = result;
    }

    /** Whether pgrouter's exchange is under way: the backend's messages are its steps. */
    boolean exchanging() {
        return exchange != null;
    }

    /**
     * One message of pgrouter's exchange (the caller keeps the reference) and what the connection
     * does next. At Done and Failed the exchange is over and whoever waits for it has heard.
     */
    LoginExchange.Step step(ByteBuf message, ByteBufAllocator alloc, Backend backend) {
        LoginExchange.Step step = exchange.onMessage(message, alloc);
        if (step instanceof LoginExchange.Done done) {
            parameters = done.parameters();
            processId = done.processId();
            secretKey = done.secretKey();
            exchange = null;
            loggedIn.complete(backend);
        } else if (step instanceof LoginExchange.Failed failed) {
            exchange = null;
            loggedIn.completeExceptionally(failed.error());
        }
        return step;
    }

    /** The connection ended pgrouter's exchange before it was done. */
    void lost(BackendLoginException error) {
        exchange = null;
        loggedIn.completeExceptionally(error);
    }

    /** The rest of this backend's login is relayed to the client of a session with this cancel key. */
    void relay(int sessionProcessId, int sessionSecretKey) {
        relaying = true;
        clientProcessId = sessionProcessId;
        clientSecretKey = sessionSecretKey;
    }

    boolean relaying() {
        return relaying;
    }

    /**
     * Keeps the backend's cancel key from a relayed login's BackendKeyData and gives the client
     * the session's instead, in place; the login ends at its ReadyForQuery.
     */
    void swapCancelKey(ByteBuf messages) {
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); end - at >= 5; at += 1 + messages.getInt(at + 1)) {
            byte type = messages.getByte(at);
            if (type == MessageType.Backend.BACKEND_KEY_DATA && messages.getInt(at + 1) == 12) {
                processId = messages.getInt(at + 5);
                secretKey = messages.getInt(at + 9);
                messages.setInt(at + 5, clientProcessId);
                messages.setInt(at + 9, clientSecretKey);
            } else if (type == MessageType.Backend.READY_FOR_QUERY) {
                relaying = false;
                return;
            }
        }
    }

    Map<String, String> parameters() {
        return parameters;
    }

    /** {@link #parameters()} as ParameterStatus messages, for greeting each client it serves. */
    byte[] parameterStatusMessages() {
        if (parameterStatus == null) {
            parameterStatus = Greeting.parameterStatusMessages(parameters);
        }
        return parameterStatus;
    }

    int processId() {
        return processId;
    }

    int secretKey() {
        return secretKey;
    }
}
