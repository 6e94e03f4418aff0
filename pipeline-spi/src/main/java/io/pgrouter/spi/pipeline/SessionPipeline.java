package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;

/**
 * The per-session half of a pipeline. Every method is called on the session's event loop
 * thread, never concurrently, so an implementation needs no locks.
 *
 * <p>Messages are whole protocol messages as they arrived: the type byte, the four-byte length,
 * the body. The callee owns one reference: it must forward it (which hands the reference on) or
 * release it. Decode only what you need, in place. Core delivers what one read brought through
 * {@link #clientMessages} and {@link #serverMessages}, whose defaults split it into messages
 * for {@link #client} and {@link #server}; a pipeline that relays most traffic unchanged
 * overrides them to forward a whole read in one write.
 */
public interface SessionPipeline {
    /**
     * As pgagroal's {@code client} hook: a message from the client, after the startup phase. Core
     * handles nothing here itself, not even Terminate: a pipeline sees everything.
     */
    void client(ByteBuf message);

    /** As pgagroal's {@code server} hook: a message from one of this session's backends. */
    void server(Backend backend, ByteBuf message);

    /**
     * Whole messages from the client, in order, in one buffer: those one read brought, its
     * readable bytes (see {@link Messages} to walk them; the reader index need not be 0). A pipeline that forwards them unchanged can pass the buffer
     * on whole, one write for all; one that rewrites a message can do so in place. The callee
     * owns one reference. The default hands each message to {@link #client} as a slice of its
     * own.
     */
    default void clientMessages(ByteBuf messages) {
        try {
            for (int at = messages.readerIndex(); at < messages.writerIndex(); ) {
                int next = Messages.next(messages, at);
                client(messages.retainedSlice(at, next - at));
                at = next;
            }
        } finally {
            messages.release();
        }
    }

    /**
     * Whole messages from one of this session's backends, in order, in one buffer, as for
     * {@link #clientMessages}. The default hands each message to {@link #server}.
     */
    default void serverMessages(Backend backend, ByteBuf messages) {
        try {
            for (int at = messages.readerIndex(); at < messages.writerIndex(); ) {
                int next = Messages.next(messages, at);
                server(backend, messages.retainedSlice(at, next - at));
                at = next;
            }
        } finally {
            messages.release();
        }
    }

    /**
     * A backend connection of this session closed or failed. Core has not told the client
     * anything: the pipeline decides (fail the session, retry elsewhere, ...).
     *
     * @param cause why, or null for an orderly close by the backend
     */
    void backendClosed(Backend backend, Throwable cause);

    /**
     * The client asked, on another connection, to cancel what this session is running (a
     * CancelRequest carrying the session's {@link Session#processId()} and
     * {@link Session#secretKey()}). Forward it to the backend running the statement with
     * {@link Session#sendCancel}. The default does nothing.
     */
    default void cancel() {
    }

    /**
     * As pgagroal's {@code stop} hook: the client is gone or the session was failed. Close what the
     * session holds; core closes the client channel and any backend still open afterwards.
     */
    void stop();
}
