package io.pgrouter.spi.pipeline;

/** An internal query ({@link Backend#queryInternal}) failed: the backend's error, or the connection was lost. */
public final class InternalQueryException extends RuntimeException {
    private final String sqlState;

    public InternalQueryException(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    /** The backend's SQLSTATE, or 08006 when the connection was lost. */
    public String sqlState() {
        return sqlState;
    }
}
