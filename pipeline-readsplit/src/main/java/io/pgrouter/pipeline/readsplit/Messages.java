package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/** Reads and builds the few protocol messages readsplit looks into, in place. */
final class Messages {
    /**
     * What a hot standby answers for a statement it cannot run but the primary can:
     * read_only_sql_transaction, feature_not_supported, object_not_in_prerequisite_state (e.g.
     * "cannot assign TransactionIds during recovery") and serialization_failure (a query
     * cancelled by a recovery conflict), and the replica shutting down or starting up (57P01,
     * 57P02, 57P03). The replica did nothing, so re-running on the primary is safe.
     */
    private static final Set<String> REPLICA_REFUSALS = Set.of("25006", "0A000", "55000", "40001", "57P01", "57P02",
            "57P03");

    private Messages() {
    }

    /** The SQL of a Query message ('Q', length, text, NUL). */
    static String queryText(ByteBuf q) {
        int at = q.readerIndex() + 5;
        int end = q.readerIndex() + q.readableBytes() - 1;
        return q.toString(at, Math.max(0, end - at), StandardCharsets.UTF_8);
    }

    /** The statement text of a Parse message ('P', length, name NUL, text NUL, ...). */
    static String parseText(ByteBuf p) {
        int end = p.readerIndex() + p.readableBytes();
        int nameEnd = p.indexOf(p.readerIndex() + 5, end, (byte) 0);
        if (nameEnd < 0) {
            return "";
        }
        int textEnd = p.indexOf(nameEnd + 1, end, (byte) 0);
        return textEnd < 0 ? "" : p.toString(nameEnd + 1, textEnd - nameEnd - 1, StandardCharsets.UTF_8);
    }

    /** The first NUL-terminated string of a message: Parse's statement, Execute's portal. */
    static String firstName(ByteBuf m) {
        int at = m.readerIndex() + 5;
        int end = m.indexOf(at, m.readerIndex() + m.readableBytes(), (byte) 0);
        return end < 0 ? "?" : m.toString(at, end - at, StandardCharsets.UTF_8);
    }

    /** Bind names a portal, then a statement: true when both are the unnamed ones. */
    static boolean bindNamesEmpty(ByteBuf b) {
        int at = b.readerIndex() + 5;
        return b.readableBytes() > 6 && b.getByte(at) == 0 && b.getByte(at + 1) == 0;
    }

    /** The statement a Bind names (after its portal), or "?" when the message is malformed. */
    static String bindStatementName(ByteBuf b) {
        int end = b.readerIndex() + b.readableBytes();
        int portalEnd = b.indexOf(b.readerIndex() + 5, end, (byte) 0);
        int nameEnd = portalEnd < 0 ? -1 : b.indexOf(portalEnd + 1, end, (byte) 0);
        return nameEnd < 0 ? "?" : b.toString(portalEnd + 1, nameEnd - portalEnd - 1, StandardCharsets.UTF_8);
    }

    /** Whether a Bind's portal is the unnamed one. */
    static boolean bindsUnnamedPortal(ByteBuf b) {
        return b.readableBytes() > 5 && b.getByte(b.readerIndex() + 5) == 0;
    }

    /** A Close of a statement ('S') with this name, and a Sync. */
    static ByteBuf closeStatementAndSync(ByteBufAllocator alloc, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(7 + n.length + 5).writeByte('C').writeInt(6 + n.length).writeByte('S').writeBytes(n)
                .writeByte(0).writeByte('S').writeInt(4);
    }

    /** Bind names a portal, then a statement: true when the statement is the unnamed one. */
    static boolean bindsUnnamedStatement(ByteBuf b) {
        int end = b.readerIndex() + b.readableBytes();
        int portalEnd = b.indexOf(b.readerIndex() + 5, end, (byte) 0);
        return portalEnd >= 0 && portalEnd + 1 < end && b.getByte(portalEnd + 1) == 0;
    }

    /** Describe's 'S' or 'P' is followed by the name. */
    static String describedName(ByteBuf d) {
        int at = d.readerIndex() + 6;
        int end = d.indexOf(at, d.readerIndex() + d.readableBytes(), (byte) 0);
        return end < 0 ? "?" : d.toString(at, end - at, StandardCharsets.UTF_8);
    }

    static ByteBuf query(ByteBufAllocator alloc, String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(6 + text.length).writeByte('Q').writeInt(5 + text.length).writeBytes(text).writeByte(0);
    }

    /** The SQLSTATE of an ErrorResponse, or "" when it has none. */
    static String errorCode(ByteBuf e) {
        return errorField(e, 'C');
    }

    /** The primary message of an ErrorResponse, or "" when it has none. */
    static String errorMessage(ByteBuf e) {
        return errorField(e, 'M');
    }

    /** An ErrorResponse that ends the backend's session (severity FATAL or PANIC). */
    static boolean isFatal(ByteBuf e) {
        String severity = errorField(e, 'V'); // not localized; since PostgreSQL 9.6
        if (severity.isEmpty()) {
            severity = errorField(e, 'S');
        }
        return severity.equals("FATAL") || severity.equals("PANIC");
    }

    /** One field of an ErrorResponse or NoticeResponse, or "" when it is absent. */
    static String errorField(ByteBuf e, char field) {
        int i = e.readerIndex() + 5;
        int end = e.readerIndex() + e.readableBytes();
        while (i < end && e.getByte(i) != 0) {
            byte code = e.getByte(i);
            int valueEnd = e.indexOf(i + 1, end, (byte) 0);
            if (valueEnd < 0) {
                return "";
            }
            if (code == field) {
                return e.toString(i + 1, valueEnd - i - 1, StandardCharsets.UTF_8);
            }
            i = valueEnd + 1;
        }
        return "";
    }

    /** An ErrorResponse of severity ERROR: the statement failed, the session goes on. */
    static ByteBuf error(ByteBufAllocator alloc, String sqlState, String message) {
        ByteBuf out = alloc.buffer();
        out.writeByte('E').writeInt(0);
        for (String[] field : new String[][] {{"S", "ERROR"}, {"V", "ERROR"}, {"C", sqlState}, {"M", message}}) {
            out.writeByte(field[0].charAt(0)).writeCharSequence(field[1], StandardCharsets.UTF_8);
            out.writeByte(0);
        }
        out.writeByte(0);
        return out.setInt(1, out.readableBytes() - 1);
    }

    static ByteBuf readyForQuery(ByteBufAllocator alloc, char status) {
        return alloc.buffer(6).writeByte('Z').writeInt(5).writeByte(status);
    }

    static boolean isReplicaRefusal(ByteBuf error) {
        return REPLICA_REFUSALS.contains(errorCode(error));
    }

    /** The value of a ParameterStatus message, if it is about {@code name}. */
    static Optional<String> parameter(ByteBuf s, String name) {
        int at = s.readerIndex() + 5;
        int end = s.readerIndex() + s.readableBytes();
        int nameEnd = s.indexOf(at, end, (byte) 0);
        if (nameEnd < 0 || !s.toString(at, nameEnd - at, StandardCharsets.UTF_8).equals(name)) {
            return Optional.empty();
        }
        int valueEnd = s.indexOf(nameEnd + 1, end, (byte) 0);
        return valueEnd < 0 ? Optional.empty() : Optional.of(s.toString(nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
    }
}
