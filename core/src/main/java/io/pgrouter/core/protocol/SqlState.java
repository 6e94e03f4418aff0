package io.pgrouter.core.protocol;

/**
 * The SQLSTATE codes pgrouter itself reports, named as in PostgreSQL's errcodes.txt. Each is the
 * plugin API's constant of the same name ({@link io.pgrouter.spi.protocol.SqlState}, the one list),
 * still a compile-time constant; new code may use that class directly.
 */
public final class SqlState {
    private SqlState() {
    }

    public static final String PROTOCOL_VIOLATION = io.pgrouter.spi.protocol.SqlState.PROTOCOL_VIOLATION;
    public static final String CONNECTION_FAILURE = io.pgrouter.spi.protocol.SqlState.CONNECTION_FAILURE;
    public static final String FEATURE_NOT_SUPPORTED = io.pgrouter.spi.protocol.SqlState.FEATURE_NOT_SUPPORTED;
    public static final String CANNOT_CONNECT_NOW = io.pgrouter.spi.protocol.SqlState.CANNOT_CONNECT_NOW;
    public static final String ADMIN_SHUTDOWN = io.pgrouter.spi.protocol.SqlState.ADMIN_SHUTDOWN;
    public static final String OUT_OF_MEMORY = io.pgrouter.spi.protocol.SqlState.OUT_OF_MEMORY;
    public static final String TOO_MANY_CONNECTIONS = io.pgrouter.spi.protocol.SqlState.TOO_MANY_CONNECTIONS;
    public static final String PROGRAM_LIMIT_EXCEEDED = io.pgrouter.spi.protocol.SqlState.PROGRAM_LIMIT_EXCEEDED;
    public static final String INTERNAL_ERROR = io.pgrouter.spi.protocol.SqlState.INTERNAL_ERROR;
}
