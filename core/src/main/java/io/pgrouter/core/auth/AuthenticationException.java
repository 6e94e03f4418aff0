package io.pgrouter.core.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.core.protocol.ErrorResponses;

/**
 * Authentication did not succeed: wrong password, unknown user, an hba rejection, or a backend
 * that pgrouter could not log into. Carries the SQLSTATE and PostgreSQL's wording, ready to be
 * sent as a FATAL ErrorResponse. Build them with {@link AuthErrors}.
 */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public AuthenticationException(String sqlState, String message) {
        super(message, null, false, false); // routine on a busy server: no stack trace to fill
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }

    /** The FATAL ErrorResponse for the client; the caller owns (and writes) the buffer. */
    public ByteBuf toErrorResponse(ByteBufAllocator alloc) {
        return ErrorResponses.fatal(alloc, sqlState, getMessage());
    }
}
