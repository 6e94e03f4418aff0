package io.pgrouter.spi.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Reads and builds the messages a server sends (see {@link MessageType.Backend}). Readers take a
 * whole message at the buffer's reader index (or at {@code at} in a run of messages) and leave
 * the buffer as it is; builders allocate exactly the message from the allocator given
 * ({@code Session.alloc()}), and the caller owns the one reference (passing it to
 * {@code Session.toClient} hands it on).
 */
public final class BackendMessages {
    private BackendMessages() {
    }

    /** ReadyForQuery's transaction status: not in a transaction. */
    public static final byte IDLE = 'I';
    /** ReadyForQuery's transaction status: in a transaction block. */
    public static final byte IN_TRANSACTION = 'T';
    /** ReadyForQuery's transaction status: in a failed transaction block (until ROLLBACK). */
    public static final byte FAILED_TRANSACTION = 'E';

    /** ErrorResponse and NoticeResponse field codes (PostgreSQL's "Error and Notice Message Fields"). */
    public static final byte FIELD_SEVERITY = 'S';
    /** The severity, never localized (PostgreSQL 9.6 and later). */
    public static final byte FIELD_SEVERITY_NONLOCALIZED = 'V';
    public static final byte FIELD_SQLSTATE = 'C';
    public static final byte FIELD_MESSAGE = 'M';

    // ---- readers ------------------------------------------------------------------------------

    /** The transaction status of the ReadyForQuery at {@code at}: {@link #IDLE}, {@link #IN_TRANSACTION} or {@link #FAILED_TRANSACTION}. */
    public static byte transactionStatus(ByteBuf messages, int at) {
        return messages.getByte(at + Messages.HEADER);
    }

    /** The transaction status of the ReadyForQuery at the reader index. */
    public static byte transactionStatus(ByteBuf readyForQuery) {
        return transactionStatus(readyForQuery, readyForQuery.readerIndex());
    }

    /**
     * Where the value of field {@code code} of the ErrorResponse or NoticeResponse at {@code at}
     * starts (a C string), or -1 when the message has no such field.
     */
    public static int fieldAt(ByteBuf messages, int at, byte code) {
        int end = Messages.next(messages, at);
        int i = at + Messages.HEADER;
        while (i < end && messages.getByte(i) != 0) {
            if (messages.getByte(i) == code) {
                return i + 1;
            }
            int valueEnd = messages.indexOf(i + 1, end, (byte) 0);
            if (valueEnd < 0) {
                return -1;
            }
            i = valueEnd + 1;
        }
        return -1;
    }

    /** One field of the ErrorResponse or NoticeResponse at the reader index, or "" when it is absent. */
    public static String field(ByteBuf message, byte code) {
        int at = fieldAt(message, message.readerIndex(), code);
        String value = at < 0 ? null : Messages.cstring(message, at);
        return value == null ? "" : value;
    }

    /** The SQLSTATE of an ErrorResponse or NoticeResponse, or "" when it has none. */
    public static String sqlState(ByteBuf message) {
        return field(message, FIELD_SQLSTATE);
    }

    /** Whether the ErrorResponse or NoticeResponse at the reader index carries this SQLSTATE (compared in place). */
    public static boolean hasSqlState(ByteBuf message, String sqlState) {
        int at = fieldAt(message, message.readerIndex(), FIELD_SQLSTATE);
        return at >= 0 && Messages.cstringEquals(message, at, sqlState.getBytes(StandardCharsets.US_ASCII));
    }

    /** The primary message of an ErrorResponse or NoticeResponse, or "" when it has none. */
    public static String message(ByteBuf message) {
        return field(message, FIELD_MESSAGE);
    }

    /** The severity (ERROR, FATAL, PANIC, WARNING, NOTICE, ...): the non-localized one when present. */
    public static String severity(ByteBuf message) {
        String severity = field(message, FIELD_SEVERITY_NONLOCALIZED);
        return severity.isEmpty() ? field(message, FIELD_SEVERITY) : severity;
    }

    /** An ErrorResponse that ends the server's session (severity FATAL or PANIC). */
    public static boolean isFatal(ByteBuf errorResponse) {
        String severity = severity(errorResponse);
        return severity.equals("FATAL") || severity.equals("PANIC");
    }

    /** Whether the ParameterStatus at the reader index is about {@code name} (compared in place). */
    public static boolean isParameter(ByteBuf parameterStatus, String name) {
        return Messages.cstringEquals(parameterStatus, parameterStatus.readerIndex() + Messages.HEADER,
                name.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of a ParameterStatus; {@code null} when the message is malformed. */
    public static String parameterValue(ByteBuf parameterStatus) {
        return Messages.cstring(parameterStatus,
                Messages.skipCstring(parameterStatus, parameterStatus.readerIndex() + Messages.HEADER));
    }

    // ---- builders -----------------------------------------------------------------------------

    /** An ErrorResponse: severity ERROR fails the statement, FATAL the session. */
    public static ByteBuf errorResponse(ByteBufAllocator alloc, String severity, String sqlState, String message) {
        return fields(alloc, MessageType.Backend.ERROR_RESPONSE, severity, sqlState, message);
    }

    /** A NoticeResponse (severity NOTICE, WARNING, INFO, ...). */
    public static ByteBuf noticeResponse(ByteBufAllocator alloc, String severity, String sqlState, String message) {
        return fields(alloc, MessageType.Backend.NOTICE_RESPONSE, severity, sqlState, message);
    }

    private static ByteBuf fields(ByteBufAllocator alloc, byte type, String severity, String sqlState, String message) {
        int severityLength = Messages.cstringLength(severity);
        int length = 4 + 2 * (1 + severityLength) + (1 + Messages.cstringLength(sqlState))
                + (1 + Messages.cstringLength(message)) + 1;
        ByteBuf out = alloc.buffer(1 + length).writeByte(type).writeInt(length);
        Messages.writeCstring(out.writeByte(FIELD_SEVERITY), severity);
        Messages.writeCstring(out.writeByte(FIELD_SEVERITY_NONLOCALIZED), severity); // read by pgjdbc and libpq since 9.6
        Messages.writeCstring(out.writeByte(FIELD_SQLSTATE), sqlState);
        Messages.writeCstring(out.writeByte(FIELD_MESSAGE), message);
        return out.writeByte(0);
    }

    /** A ReadyForQuery with this transaction status ({@link #IDLE}, ...). */
    public static ByteBuf readyForQuery(ByteBufAllocator alloc, byte status) {
        return alloc.buffer(6).writeByte(MessageType.Backend.READY_FOR_QUERY).writeInt(5).writeByte(status);
    }

    /** A CommandComplete with this tag ({@code SET}, {@code SHOW}, {@code INSERT 0 1}). */
    public static ByteBuf commandComplete(ByteBufAllocator alloc, String tag) {
        int t = Messages.cstringLength(tag);
        return Messages.writeCstring(alloc.buffer(5 + t).writeByte(MessageType.Backend.COMMAND_COMPLETE).writeInt(4 + t), tag);
    }

    /** A ParameterStatus reporting a setting's new value. */
    public static ByteBuf parameterStatus(ByteBufAllocator alloc, String name, String value) {
        int length = 4 + Messages.cstringLength(name) + Messages.cstringLength(value);
        ByteBuf out = alloc.buffer(1 + length).writeByte(MessageType.Backend.PARAMETER_STATUS).writeInt(length);
        return Messages.writeCstring(Messages.writeCstring(out, name), value);
    }

    /** A RowDescription of text columns with these names (no table, type {@code text}, text format). */
    public static ByteBuf rowDescription(ByteBufAllocator alloc, String... columns) {
        ByteBuf out = alloc.buffer().writeByte(MessageType.Backend.ROW_DESCRIPTION).writeInt(0).writeShort(columns.length);
        for (String column : columns) {
            Messages.writeCstring(out, column)
                    .writeInt(0).writeShort(0) // no table, no column number
                    .writeInt(TEXT_OID).writeShort(-1).writeInt(-1).writeShort(0); // text, variable size, no modifier, text format
        }
        return out.setInt(1, out.writerIndex() - 1);
    }

    /** A DataRow of text values; a null value is SQL NULL. */
    public static ByteBuf dataRow(ByteBufAllocator alloc, String... values) {
        ByteBuf out = alloc.buffer().writeByte(MessageType.Backend.DATA_ROW).writeInt(0).writeShort(values.length);
        for (String value : values) {
            Messages.writeValue(out, value);
        }
        return out.setInt(1, out.writerIndex() - 1);
    }

    /** A message with no body: ParseComplete, BindComplete, NoData, CloseComplete, ... */
    public static ByteBuf bodiless(ByteBufAllocator alloc, byte type) {
        return alloc.buffer(5).writeByte(type).writeInt(4);
    }

    /** The type oid of {@code text}. */
    private static final int TEXT_OID = 25;
}
