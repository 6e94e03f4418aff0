package io.pgrouter.core.protocol;

/**
 * A client broke the protocol (bad length, unknown startup code, oversized message). The
 * connection ends with a FATAL ErrorResponse carrying {@link #sqlState()}.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public ProtocolException(String sqlState, String message) {
        super(message, null, false, false); // expected on hostile input: no stack trace to fill
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }
}
