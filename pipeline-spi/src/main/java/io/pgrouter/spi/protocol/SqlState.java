package io.pgrouter.spi.protocol;

/**
 * The SQLSTATE codes pgrouter and its pipelines report or act on, named as in PostgreSQL's
 * {@code errcodes.txt}. The one list: core's own names are these.
 */
public final class SqlState {
    private SqlState() {
    }

    /** successful_completion: what a NoticeResponse of pgrouter's own carries. */
    public static final String SUCCESSFUL_COMPLETION = "00000";
    /** connection_failure: a backend connection was lost. */
    public static final String CONNECTION_FAILURE = "08006";
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    /** invalid_parameter_value: a setting given a value it does not take. */
    public static final String INVALID_PARAMETER_VALUE = "22023";
    /** read_only_sql_transaction: what a hot standby says to a write. */
    public static final String READ_ONLY_SQL_TRANSACTION = "25006";
    /** in_failed_sql_transaction: "commands ignored until end of transaction block". */
    public static final String IN_FAILED_SQL_TRANSACTION = "25P02";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INVALID_PASSWORD = "28P01";
    /** serialization_failure: also a query a standby cancelled for a recovery conflict. */
    public static final String SERIALIZATION_FAILURE = "40001";
    /** undefined_object: e.g. an unrecognized configuration parameter. */
    public static final String UNDEFINED_OBJECT = "42704";
    /** out_of_memory: pgrouter's memory budget for buffered messages ({@code max_buffered}) is spent. */
    public static final String OUT_OF_MEMORY = "53200";
    public static final String TOO_MANY_CONNECTIONS = "53300";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    /** object_not_in_prerequisite_state: e.g. "cannot assign TransactionIds during recovery". */
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CRASH_SHUTDOWN = "57P02";
    /** cannot_connect_now: the server is starting up, or there is no primary. */
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String INTERNAL_ERROR = "XX000";
}
