package io.pgrouter.spi.protocol;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.InternalQueryException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The answer to a one-value internal query ({@link io.pgrouter.spi.pipeline.Backend#queryInternal}):
 * the first column of the first row, as text, once the ReadyForQuery came. Completes with null
 * for SQL NULL or no row, exceptionally with an {@link InternalQueryException} on an
 * ErrorResponse or when the connection is lost. Reads the DataRow in place, once.
 */
public final class FirstValue implements RequestTracker.Answer {
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private String value;
    private boolean haveRow;
    private InternalQueryException error;

    public CompletableFuture<String> result() {
        return result;
    }

    @Override
    public void message(byte type, ByteBuf messages, int at, int next) {
        if (type == MessageType.Backend.DATA_ROW && !haveRow) {
            haveRow = true;
            int body = at + Messages.HEADER;
            if (next - body >= 6 && messages.getShort(body) > 0) {
                int length = messages.getInt(body + 2);
                if (length >= 0 && body + 6 + length <= next) {
                    value = messages.toString(body + 6, length, StandardCharsets.UTF_8);
                }
            }
        } else if (type == MessageType.Backend.ERROR_RESPONSE && error == null) {
            ByteBuf message = messages.slice(at, next - at);
            error = new InternalQueryException(BackendMessages.sqlState(message), BackendMessages.message(message));
        } else if (type == MessageType.Backend.READY_FOR_QUERY) {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        }
    }

    @Override
    public void lost() {
        result.completeExceptionally(new InternalQueryException(SqlState.CONNECTION_FAILURE,
                "the connection closed before the query was answered"));
    }
}
