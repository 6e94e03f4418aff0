package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;

/**
 * One backend connection of a session. Its methods must be called on the session's event loop
 * (where the pipeline's callbacks run).
 */
public interface Backend {
    /** Where it is connected. */
    Endpoint address();

    /**
     * Queues a message (or several, or any bytes of the protocol) for the backend, taking over
     * the caller's reference. Core flushes once per burst, after the current callback returns.
     */
    void send(ByteBuf message);

    /**
     * Sends whole requests on the pipeline's behalf whose answers core consumes: each request a
     * Query, or extended-protocol messages ending in a Sync (a reset, a mirrored SET, a Close of
     * a statement). They run in order with what {@link #send} sends; of their answers only
     * ParameterStatus, NoticeResponse and NotificationResponse reach the pipeline (the client
     * must hear of those), everything else (CommandComplete, ReadyForQuery, an ErrorResponse,
     * which core logs) does not. Takes over the caller's reference.
     */
    default void sendInternal(ByteBuf requests) {
        requests.release();
        throw new UnsupportedOperationException("this backend cannot send internal requests");
    }

    /**
     * Runs one SQL query on the pipeline's behalf, like {@link #sendInternal} (in order with what
     * {@link #send} sends, its answers kept from the pipeline), and hands back the first column of
     * its first row as text: null for SQL NULL or no row. The stage completes on the session's
     * event loop while the answer is delivered, before the pipeline sees what follows it;
     * exceptionally with an {@link InternalQueryException} when the backend refuses the query or
     * the connection closes first. Meant for one cheap value pgrouter needs (a WAL position), not
     * for results a client should see.
     */
    default java.util.concurrent.CompletionStage<String> queryInternal(String sql) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new UnsupportedOperationException("this backend cannot run internal queries"));
    }

    /**
     * The ParameterStatus values the backend sent while logging in (server_version,
     * client_encoding, DateStyle, ...); empty for a relayed login ({@link Session#relayToPrimary}),
     * whose pipeline sees those messages itself.
     */
    java.util.Map<String, String> parameters();

    /** The backend's own cancel key (BackendKeyData) after {@link Session#login}; 0 otherwise. */
    int processId();

    /** See {@link #processId()}. */
    int secretKey();

    /**
     * What a pipeline keeps about this connection itself, such as the prepared statements it
     * holds; it stays with the connection while pooled, for the next session that acquires it
     * (which must be of the same pipeline). Null until set.
     */
    Object attachment();

    /** Sets {@link #attachment()}. Plain objects only: nothing here is released on close. */
    void attachment(Object value);

    /**
     * Whether nothing is open on the connection, by what core saw pass both ways: every request
     * (Query, Sync, FunctionCall) answered by its ReadyForQuery, no extended-protocol group
     * without its Sync, no transaction, no Terminate sent. {@link Session#release} pools a
     * connection only when this holds (and closes it otherwise), so a pipeline need not track it.
     */
    default boolean isIdle() {
        return false;
    }

    /** True until the connection closes. */
    boolean isOpen();

    /** Closes the connection; {@link SessionPipeline#backendClosed} follows. */
    void close();
}
