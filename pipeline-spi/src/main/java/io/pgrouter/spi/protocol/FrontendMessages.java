package io.pgrouter.spi.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Reads and builds the messages a client sends (see {@link MessageType.Frontend}). Readers take
 * a whole message at the buffer's reader index and leave the buffer as it is; builders allocate
 * exactly the message from the allocator given ({@code Session.alloc()}), and the caller owns
 * the one reference (passing it to {@code Backend.send} hands it on).
 */
public final class FrontendMessages {
    private FrontendMessages() {
    }

    /** Describe and Close name a prepared statement with this byte... */
    public static final byte STATEMENT = 'S';
    /** ...and a portal with this one. */
    public static final byte PORTAL = 'P';

    // ---- readers ------------------------------------------------------------------------------

    /** The SQL of a Query ('Q', length, text, NUL). */
    public static String queryText(ByteBuf query) {
        int at = query.readerIndex() + Messages.HEADER;
        int end = query.writerIndex() - 1; // the NUL
        return query.toString(at, Math.max(0, end - at), StandardCharsets.UTF_8);
    }

    /**
     * Where the first name of the message starts: a Parse's statement, a Bind's portal, an
     * Execute's portal. Describe and Close first say what they name ({@link #target}).
     */
    public static int nameAt(ByteBuf message) {
        byte type = message.getByte(message.readerIndex());
        int body = message.readerIndex() + Messages.HEADER;
        return type == MessageType.Frontend.DESCRIBE || type == MessageType.Frontend.CLOSE ? body + 1 : body;
    }

    /**
     * The first name of a Parse (statement), Bind (portal), Execute (portal), Describe or Close
     * (statement or portal); "" for the unnamed one, {@code null} when the message is malformed.
     */
    public static String name(ByteBuf message) {
        return Messages.cstring(message, nameAt(message));
    }

    /** Whether a Parse, Bind, Execute, Describe or Close names the unnamed statement or portal. */
    public static boolean namesUnnamed(ByteBuf message) {
        return Messages.isEmptyCstring(message, nameAt(message));
    }

    /** What a Describe or Close names: {@link #STATEMENT} or {@link #PORTAL}. */
    public static byte target(ByteBuf describeOrClose) {
        return describeOrClose.getByte(describeOrClose.readerIndex() + Messages.HEADER);
    }

    /** The statement text of a Parse ('P', length, name, text, ...); "" when malformed. */
    public static String parseText(ByteBuf parse) {
        String text = Messages.cstring(parse, Messages.skipCstring(parse, nameAt(parse)));
        return text == null ? "" : text;
    }

    /** Where a Bind's statement name (after its portal name) starts. */
    public static int bindStatementAt(ByteBuf bind) {
        return Messages.skipCstring(bind, bind.readerIndex() + Messages.HEADER);
    }

    /** The statement a Bind names ("" for the unnamed one); {@code null} when malformed. */
    public static String bindStatement(ByteBuf bind) {
        return Messages.cstring(bind, bindStatementAt(bind));
    }

    // ---- builders -----------------------------------------------------------------------------

    /** A Query running {@code sql} (one or more statements, simple protocol). */
    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        int text = Messages.cstringLength(sql);
        return Messages.writeCstring(alloc.buffer(5 + text).writeByte(MessageType.Frontend.QUERY).writeInt(4 + text), sql);
    }

    /**
     * A Parse of {@code sql} as statement {@code name} ("" for the unnamed one), with the types
     * (OIDs) of its parameters where the client fixes them; 0 or none leaves them to the server.
     */
    public static ByteBuf parse(ByteBufAllocator alloc, String name, String sql, int... parameterTypes) {
        int length = 4 + Messages.cstringLength(name) + Messages.cstringLength(sql) + 2 + 4 * parameterTypes.length;
        ByteBuf out = alloc.buffer(1 + length).writeByte(MessageType.Frontend.PARSE).writeInt(length);
        Messages.writeCstring(Messages.writeCstring(out, name), sql).writeShort(parameterTypes.length);
        for (int oid : parameterTypes) {
            out.writeInt(oid);
        }
        return out;
    }

    /**
     * A Bind of statement {@code statement} to portal {@code portal} ("" for the unnamed ones),
     * every parameter and result column in text format; a {@code null} parameter is SQL NULL.
     */
    public static ByteBuf bind(ByteBufAllocator alloc, String portal, String statement, String... parameters) {
        int length = 4 + Messages.cstringLength(portal) + Messages.cstringLength(statement) + 2 + 2 + 2;
        for (String value : parameters) {
            length += 4 + (value == null ? 0 : ByteBufUtil.utf8Bytes(value));
        }
        ByteBuf out = alloc.buffer(1 + length).writeByte(MessageType.Frontend.BIND).writeInt(length);
        Messages.writeCstring(Messages.writeCstring(out, portal), statement);
        out.writeShort(0); // no parameter format codes: all text
        out.writeShort(parameters.length);
        for (String value : parameters) {
            Messages.writeValue(out, value);
        }
        return out.writeShort(0); // no result format codes: all text
    }

    /** A Close of the prepared statement {@code name}. */
    public static ByteBuf closeStatement(ByteBufAllocator alloc, String name) {
        return close(alloc, STATEMENT, name);
    }

    /** A Close of the portal {@code name}. */
    public static ByteBuf closePortal(ByteBufAllocator alloc, String name) {
        return close(alloc, PORTAL, name);
    }

    private static ByteBuf close(ByteBufAllocator alloc, byte target, String name) {
        int n = Messages.cstringLength(name);
        // Room for a Sync after it: a Close sent on its own is usually followed by one.
        ByteBuf out = alloc.buffer(6 + n + 5).writeByte(MessageType.Frontend.CLOSE).writeInt(5 + n).writeByte(target);
        return Messages.writeCstring(out, name);
    }

    /** A Sync. */
    public static ByteBuf sync(ByteBufAllocator alloc) {
        return writeSync(alloc.buffer(5));
    }

    /** Appends a Sync to {@code out} (after a Parse or Close, say, to send both at once); returns {@code out}. */
    public static ByteBuf writeSync(ByteBuf out) {
        return out.writeByte(MessageType.Frontend.SYNC).writeInt(4);
    }
}
