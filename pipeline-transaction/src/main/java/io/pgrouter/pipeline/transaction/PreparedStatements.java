package io.pgrouter.pipeline.transaction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.pipeline.Backend;
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

    /** The client's own named statements, by name: the bytes of its Parse message. */
    private final Map<String, byte[]> mine = new HashMap<>();
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
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
    }

    /** Sends a client message to the connection, with whatever must precede it. */
    void send(byte type, ByteBuf message) {
        switch (type) {
            case 'P' -> parse(message);
            case 'B' -> ensurePrepared(cstring(message, skipCstring(message, message.readerIndex() + 5)));
            case 'D' -> {
                if (message.getByte(message.readerIndex() + 5) == 'S') {
                    ensurePrepared(cstring(message, message.readerIndex() + 6));
                }
            }
            case 'C' -> {
                if (message.getByte(message.readerIndex() + 5) == 'S') {
                    String name = cstring(message, message.readerIndex() + 6);
                    mine.remove(name);
                    server.statements.remove(name);
                }
                sent.add(new Sent(Kind.CLOSE, false, null, null));
            }
            case 'S', 'Q', 'F' -> sent.add(READY);
            default -> {
            }
        }
        backend.send(message);
    }

    private void parse(ByteBuf message) {
        String name = cstring(message, message.readerIndex() + 5);
        if (name.isEmpty()) {
            sent.add(new Sent(Kind.PARSE, false, "", null));
            return;
        }
        byte[] bytes = new byte[message.readableBytes()];
        message.getBytes(message.readerIndex(), bytes);
        if (!mine.containsKey(name) && server.statements.containsKey(name)) {
            // Left by another client of this connection: make room, unseen.
            backend.send(close(name));
            sent.add(new Sent(Kind.CLOSE, true, name, null));
        }
        server.statements.remove(name);
        mine.put(name, bytes);
        sent.add(new Sent(Kind.PARSE, false, name, bytes));
    }

    private void ensurePrepared(String name) {
        if (name.isEmpty() || server.statements.containsKey(name) || pending(name)) {
            return;
        }
        byte[] parse = mine.get(name);
        if (parse == null) {
            return; // not ours: the server answers as it would directly
        }
        backend.send(alloc.buffer(parse.length).writeBytes(parse));
        sent.add(new Sent(Kind.PARSE, true, name, parse));
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
        switch (message.getByte(message.readerIndex())) {
            case '1', '3' -> {
                Sent s = sent.poll();
                if (s == null) {
                    return true;
                }
                if (s.kind == Kind.PARSE && s.parse != null) {
                    server.statements.put(s.name, s.parse);
                }
                return !s.added;
            }
            case 'E' -> {
                // The server skips to the Sync: nothing sent before it gets an answer.
                while (!sent.isEmpty() && sent.peek().kind != Kind.READY) {
                    sent.poll();
                }
                return true;
            }
            case 'Z' -> {
                Sent s;
                do {
                    s = sent.poll();
                } while (s != null && s.kind != Kind.READY);
                return true;
            }
            case 'C' -> {
                // DEALLOCATE or DISCARD by SQL: which statements remain is unknown from here on.
                if (startsWith(message, "DEALLOCATE") || startsWith(message, "DISCARD")) {
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

    private ByteBuf close(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(7 + n.length).writeByte('C').writeInt(6 + n.length)
                .writeByte('S').writeBytes(n).writeByte(0);
    }

    private static boolean startsWith(ByteBuf commandComplete, String tag) {
        int at = commandComplete.readerIndex() + 5;
        if (commandComplete.readableBytes() < 5 + tag.length()) {
            return false;
        }
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = new byte[t.length];
        commandComplete.getBytes(at, actual);
        return Arrays.equals(t, actual);
    }

    private static int skipCstring(ByteBuf m, int from) {
        int end = m.indexOf(from, m.writerIndex(), (byte) 0);
        return end < 0 ? m.writerIndex() : end + 1;
    }

    private static String cstring(ByteBuf m, int from) {
        int end = m.indexOf(from, m.writerIndex(), (byte) 0);
        return end < 0 ? "" : m.toString(from, end - from, StandardCharsets.UTF_8);
    }
}
