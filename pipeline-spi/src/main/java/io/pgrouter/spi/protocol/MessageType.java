package io.pgrouter.spi.protocol;

/**
 * The type bytes of the protocol's messages (PostgreSQL's "Message Formats"). The frontend (the
 * client, or a pipeline speaking for it) and the backend use the same letters for different
 * messages: 'C' is a Close from a client and a CommandComplete from a server, 'E' an Execute and
 * an ErrorResponse, 'S' a Sync and a ParameterStatus. So the two directions are two classes, and
 * a constant always says which side sent it: {@code MessageType.Frontend.SYNC},
 * {@code MessageType.Backend.READY_FOR_QUERY}.
 *
 * <p>The constants are {@code static final byte}: compile-time constants, usable as {@code case}
 * labels when switching on {@code buf.getByte(at)}, with nothing decoded or allocated.
 */
public final class MessageType {
    private MessageType() {
    }

    /** Messages a client sends, as a pipeline receives them in {@code client}/{@code clientMessages}. */
    public static final class Frontend {
        private Frontend() {
        }

        public static final byte BIND = 'B';
        public static final byte CLOSE = 'C';
        public static final byte COPY_DATA = 'd';
        public static final byte COPY_DONE = 'c';
        public static final byte COPY_FAIL = 'f';
        public static final byte DESCRIBE = 'D';
        public static final byte EXECUTE = 'E';
        public static final byte FLUSH = 'H';
        public static final byte FUNCTION_CALL = 'F';
        public static final byte PARSE = 'P';
        /** PasswordMessage, and SASLInitialResponse, SASLResponse, GSSResponse: one letter for all. */
        public static final byte PASSWORD_MESSAGE = 'p';
        public static final byte QUERY = 'Q';
        public static final byte SYNC = 'S';
        public static final byte TERMINATE = 'X';

        /** The message's name in PostgreSQL's documentation, or its letter when unknown (for logs and tests). */
        public static String name(byte type) {
            return switch (type) {
                case BIND -> "Bind";
                case CLOSE -> "Close";
                case COPY_DATA -> "CopyData";
                case COPY_DONE -> "CopyDone";
                case COPY_FAIL -> "CopyFail";
                case DESCRIBE -> "Describe";
                case EXECUTE -> "Execute";
                case FLUSH -> "Flush";
                case FUNCTION_CALL -> "FunctionCall";
                case PARSE -> "Parse";
                case PASSWORD_MESSAGE -> "PasswordMessage";
                case QUERY -> "Query";
                case SYNC -> "Sync";
                case TERMINATE -> "Terminate";
                default -> "'" + (char) type + "'";
            };
        }
    }

    /** Messages a server sends, as a pipeline receives them in {@code server}/{@code serverMessages}. */
    public static final class Backend {
        private Backend() {
        }

        /** AuthenticationOk, AuthenticationMD5Password, AuthenticationSASL, ...: one letter for all. */
        public static final byte AUTHENTICATION = 'R';
        public static final byte BACKEND_KEY_DATA = 'K';
        public static final byte BIND_COMPLETE = '2';
        public static final byte CLOSE_COMPLETE = '3';
        public static final byte COMMAND_COMPLETE = 'C';
        public static final byte COPY_BOTH_RESPONSE = 'W';
        public static final byte COPY_DATA = 'd';
        public static final byte COPY_DONE = 'c';
        public static final byte COPY_IN_RESPONSE = 'G';
        public static final byte COPY_OUT_RESPONSE = 'H';
        public static final byte DATA_ROW = 'D';
        public static final byte EMPTY_QUERY_RESPONSE = 'I';
        public static final byte ERROR_RESPONSE = 'E';
        public static final byte FUNCTION_CALL_RESPONSE = 'V';
        public static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';
        public static final byte NO_DATA = 'n';
        public static final byte NOTICE_RESPONSE = 'N';
        public static final byte NOTIFICATION_RESPONSE = 'A';
        public static final byte PARAMETER_DESCRIPTION = 't';
        public static final byte PARAMETER_STATUS = 'S';
        public static final byte PARSE_COMPLETE = '1';
        public static final byte PORTAL_SUSPENDED = 's';
        public static final byte READY_FOR_QUERY = 'Z';
        public static final byte ROW_DESCRIPTION = 'T';

        /** The message's name in PostgreSQL's documentation, or its letter when unknown (for logs and tests). */
        public static String name(byte type) {
            return switch (type) {
                case AUTHENTICATION -> "Authentication";
                case BACKEND_KEY_DATA -> "BackendKeyData";
                case BIND_COMPLETE -> "BindComplete";
                case CLOSE_COMPLETE -> "CloseComplete";
                case COMMAND_COMPLETE -> "CommandComplete";
                case COPY_BOTH_RESPONSE -> "CopyBothResponse";
                case COPY_DATA -> "CopyData";
                case COPY_DONE -> "CopyDone";
                case COPY_IN_RESPONSE -> "CopyInResponse";
                case COPY_OUT_RESPONSE -> "CopyOutResponse";
                case DATA_ROW -> "DataRow";
                case EMPTY_QUERY_RESPONSE -> "EmptyQueryResponse";
                case ERROR_RESPONSE -> "ErrorResponse";
                case FUNCTION_CALL_RESPONSE -> "FunctionCallResponse";
                case NEGOTIATE_PROTOCOL_VERSION -> "NegotiateProtocolVersion";
                case NO_DATA -> "NoData";
                case NOTICE_RESPONSE -> "NoticeResponse";
                case NOTIFICATION_RESPONSE -> "NotificationResponse";
                case PARAMETER_DESCRIPTION -> "ParameterDescription";
                case PARAMETER_STATUS -> "ParameterStatus";
                case PARSE_COMPLETE -> "ParseComplete";
                case PORTAL_SUSPENDED -> "PortalSuspended";
                case READY_FOR_QUERY -> "ReadyForQuery";
                case ROW_DESCRIPTION -> "RowDescription";
                default -> "'" + (char) type + "'";
            };
        }
    }
}
