package io.pgrouter.pipeline.transaction;

import static io.pgrouter.spi.protocol.MessageType.Backend.CLOSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.COMMAND_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.ERROR_RESPONSE;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.READY_FOR_QUERY;
import static io.pgrouter.spi.protocol.MessageType.Frontend.BIND;
import static io.pgrouter.spi.protocol.MessageType.Frontend.CLOSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.DESCRIBE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.FUNCTION_CALL;
import static io.pgrouter.spi.protocol.MessageType.Frontend.PARSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.QUERY;
import static io.pgrouter.spi.protocol.MessageType.Frontend.SYNC;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Named prepared statements (protocol Parse) of one client, made to exist on whichever pooled
 * connection it runs on: a Bind or Describe of a statement the connection lacks gets the client's
 * Parse sent first, and a Parse of a name another client left on the connection gets a Close
 * first. The answers to what pgrouter added (ParseComplete, CloseComplete) are kept from the
 * client, so it sees exactly the answers to what it sent.
 *
 * <p>Answers come in request order; a FIFO of the Parse and Close requests sent, with a marker per
 * request that ends in ReadyForQuery (Sync, Query, FunctionCall), says which ParseComplete or
 * CloseComplete is whose. After an ErrorResponse the server skips to the Sync: the requests it
 * skipped get no answer and their statements are not counted as prepared.
 *
 * <p>What pgrouter adds goes inside the client's extended-protocol group, not through core's
 * {@code Backend.sendInternal}, which takes whole requests ending in a Sync: a Sync slipped
 * before the client's Bind would end the client's group early (committing the implicit
 * transaction of what the group ran so far, and clearing its error state), changing what the
 * client's own Sync means. And the FIFO that tells whose ParseComplete each is has to stay here
 * anyway, to learn which statements the connection holds; so the count of added answers still
 * in flight is kept here too, beside it, not in a second tracker in core.
 */
final class PreparedStatements {
    /** What a connection holds: statement name to the Parse message (bytes) that made it. */
    static final class OnServer {
        final Map<String, byte[]> statements = new HashMap<>();
    }

    private enum Kind { PARSE, CLOSE, READY }

    private record Sent(Kind kind, boolean added, String name, byte[] parse) {
    }

    private static final Sent READY = new Sent(Kind.READY, false, null, null);
    private static final Sent UNNAMED_PARSE = new Sent(Kind.PARSE, false, "", null);
    private static final Sent CLIENT_CLOSE = new Sent(Kind.CLOSE, false, null, null);

    /** The client's own named statements, by name: the bytes of its Parse message. */
    private final Map<String, byte[]> mine = new HashMap<>();
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    /** How many of {@link #sent} pgrouter added: their answers are kept from the client. */
    private int addedInFlight;
    private final ByteBufAllocator alloc;
    private Backend backend;
    private OnServer server;

    PreparedStatements(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** A connection was acquired: what it holds is in its attachment. */
    void use(Backend b) {
        backend = b;
        if (!(b.attachment() instanceof OnServer)) {
            b.attachment(new OnServer());
        }
        server = (OnServer) b.attachment();
        sent.clear();
        addedInFlight = 0;
    }

    /**
     * Whether a run of client messages names no prepared statement (a Parse, Bind, Describe or
     * Close of a named one would need pgrouter's care): such a run is sent as it is, after
     * {@link #notePlain}.
     */
    static boolean plain(ByteBuf messages) {
        for (int at = messages.readerIndex(); at < messages.writerIndex(); ) {
            int next = Messages.next(messages, at);
            byte type = messages.getByte(at);
            if (type == PARSE || type == BIND || type == DESCRIBE || type == CLOSE) {
                // Too short to name anything: malformed, and left to the careful way to pass on.
                if (next - at < 7) {
                    return false;
                }
                int name = switch (type) {
                    case PARSE -> at + Messages.HEADER;
                    case BIND -> Messages.skipCstring(messages, at + Messages.HEADER);
                    default -> at + Messages.HEADER + 1; // Describe, Close: 'S' or 'P', then the name
                };
                if (name >= next || messages.getByte(name) != 0) {
                    return false;
                }
            }
            at = next;
        }
        return true;
    }

    /** What {@link #send} notes of a {@link #plain} run, which the caller sends whole. */
    void notePlain(ByteBuf messages) {
        for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
            switch (messages.getByte(at)) {
                case PARSE -> sent.add(UNNAMED_PARSE);
                case CLOSE -> sent.add(CLIENT_CLOSE);
                case SYNC, QUERY, FUNCTION_CALL -> sent.add(READY);
                default -> {
                }
            }
        }
    }

    /** Whether an answer to something pgrouter added is still to come (and must be kept from the client). */
    boolean awaitsAddedAnswer() {
        return addedInFlight > 0;
    }

    private void add(Sent s) {
        sent.add(s);
        if (s.added) {
            addedInFlight++;
        }
    }

    private Sent poll() {
        Sent s = sent.poll();
        if (s != null && s.added) {
            addedInFlight--;
        }
        return s;
    }

    /** Sends a client message to the connection, with whatever must precede it. */
    void send(byte type, ByteBuf message) {
        switch (type) {
            case PARSE -> parse(message);
            case BIND -> ensurePrepared(cstring(message, FrontendMessages.bindStatementAt(message)));
            case DESCRIBE -> {
                if (FrontendMessages.target(message) == FrontendMessages.STATEMENT) {
                    ensurePrepared(cstring(message, FrontendMessages.nameAt(message)));
                }
            }
            case CLOSE -> {
                if (FrontendMessages.target(message) == FrontendMessages.STATEMENT) {
                    String name = cstring(message, FrontendMessages.nameAt(message));
                    mine.remove(name);
                    server.statements.remove(name);
                }
                sent.add(new Sent(Kind.CLOSE, false, null, null));
            }
            case SYNC, QUERY, FUNCTION_CALL -> sent.add(READY);
            default -> {
            }
        }
        backend.send(message);
    }

    private void parse(ByteBuf message) {
        String name = cstring(message, FrontendMessages.nameAt(message));
        if (name.isEmpty()) {
            sent.add(new Sent(Kind.PARSE, false, "", null));
            return;
        }
        byte[] bytes = new byte[message.readableBytes()];
        message.getBytes(message.readerIndex(), bytes);
        if (!mine.containsKey(name) && server.statements.containsKey(name)) {
            // Left by another client of this connection: make room, unseen.
            backend.send(FrontendMessages.closeStatement(alloc, name));
            add(new Sent(Kind.CLOSE, true, name, null));
        }
        server.statements.remove(name);
        mine.put(name, bytes);
        sent.add(new Sent(Kind.PARSE, false, name, bytes));
    }

    /**
     * Makes the connection hold the client's own statement under {@code name} before a Bind or
     * Describe of it. The name alone says nothing: every pgjdbc client calls its statements
     * {@code S_1}, {@code S_2}, ..., so a connection may hold another client's {@code S_1}, which
     * is closed (unseen) and replaced by this client's Parse. Only the same Parse bytes are the
     * same statement.
     */
    private void ensurePrepared(String name) {
        if (name.isEmpty() || pending(name)) {
            return;
        }
        byte[] parse = mine.get(name);
        if (parse == null) {
            return; // not ours: the server answers as it would directly
        }
        byte[] held = server.statements.get(name);
        if (held != null) {
            if (Arrays.equals(held, parse)) {
                return;
            }
            backend.send(FrontendMessages.closeStatement(alloc, name));
            add(new Sent(Kind.CLOSE, true, name, null));
            server.statements.remove(name);
        }
        backend.send(alloc.buffer(parse.length).writeBytes(parse));
        add(new Sent(Kind.PARSE, true, name, parse));
    }

    private boolean pending(String name) {
        for (Sent s : sent) {
            if (s.kind == Kind.PARSE && name.equals(s.name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Notes an answer from the connection; returns false when it answers something pgrouter
     * added (the caller then releases it instead of passing it on).
     */
    boolean answer(ByteBuf message) {
        return answer(message, message.readerIndex());
    }

    /** {@link #answer(ByteBuf)} for the message at {@code at} in a run of the connection's messages. */
    boolean answer(ByteBuf messages, int at) {
        switch (messages.getByte(at)) {
            case PARSE_COMPLETE, CLOSE_COMPLETE -> {
                Sent s = poll();
                if (s == null) {
                    return true;
                }
                if (s.kind == Kind.PARSE && s.parse != null) {
                    server.statements.put(s.name, s.parse);
                }
                return !s.added;
            }
            case ERROR_RESPONSE -> {
                // The server skips to the Sync: nothing sent before it gets an answer.
                while (!sent.isEmpty() && sent.peek().kind != Kind.READY) {
                    poll();
                }
                return true;
            }
            case READY_FOR_QUERY -> {
                Sent s;
                do {
                    s = poll();
                } while (s != null && s.kind != Kind.READY);
                return true;
            }
            case COMMAND_COMPLETE -> {
                // DEALLOCATE or DISCARD by SQL: which statements remain is unknown from here on.
                if (startsWith(messages, at, DEALLOCATE) || startsWith(messages, at, DISCARD)) {
                    server.statements.clear();
                    backend.attachment(new Poisoned());
                }
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    /** Whether the connection may go back to the pool. */
    boolean reusable() {
        return !(backend.attachment() instanceof Poisoned);
    }

    /** Marks a connection whose prepared statements pgrouter lost track of: it is closed, not pooled. */
    static final class Poisoned {
    }

    void done() {
        backend = null;
        server = null;
    }

    private static final byte[] DEALLOCATE = "DEALLOCATE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD = "DISCARD".getBytes(StandardCharsets.US_ASCII);

    /** Whether the CommandComplete at {@code at} carries this tag (compared in place: one per statement). */
    private static boolean startsWith(ByteBuf messages, int at, byte[] tag) {
        return messages.getInt(at + 1) - 4 >= tag.length && Messages.startsWith(messages, at + Messages.HEADER, tag);
    }

    /** A name in a client message; "" when malformed, which the server then refuses. */
    private static String cstring(ByteBuf m, int from) {
        String name = Messages.cstring(m, from);
        return name == null ? "" : name;
    }
}
