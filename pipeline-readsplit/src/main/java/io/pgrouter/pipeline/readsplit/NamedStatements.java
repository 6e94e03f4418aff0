package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.pipeline.Backend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The session's protocol-level named statements. A named Parse always runs on the primary (inside
 * a read-only transaction on a replica it runs there and is mirrored on the primary); a copy is
 * kept, so that a later group binding it can run on a replica, which is sent the Parse first
 * ("prepared lazily") unless that replica connection has it already. Outside a replica
 * transaction only reads run on replicas; inside one, every statement the transaction uses.
 */
final class NamedStatements {
    private static final class Entry {
        final ByteBuf parse;
        final boolean read;
        /** The replica connection that has it prepared, if any. */
        Backend preparedOn;

        Entry(ByteBuf parse, boolean read) {
            this.parse = parse;
            this.read = read;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /**
     * A named Parse went to the primary. A name already in use is left alone: PostgreSQL refuses
     * to parse it again until it is closed.
     */
    void parsed(String name, ByteBuf parse, boolean read, ByteBufAllocator alloc) {
        if (!entries.containsKey(name)) {
            ByteBuf copy = alloc.buffer(parse.readableBytes()).writeBytes(parse, parse.readerIndex(),
                    parse.readableBytes());
            entries.put(name, new Entry(copy, read));
        }
    }

    /** Whether a replica may run the statement (it is known, and a read). */
    boolean isRead(String name) {
        Entry e = entries.get(name);
        return e != null && e.read;
    }

    /** The statement was parsed on this replica connection by the client itself (in a transaction there). */
    void preparedOn(String name, Backend replica) {
        Entry e = entries.get(name);
        if (e != null) {
            e.preparedOn = replica;
        }
    }

    /**
     * The Parse messages a replica connection still needs for these statements, marked as sent (so
     * a name listed twice is parsed once). Runs for every read that binds a named statement: no
     * allocation when the connection has them all.
     */
    List<ByteBuf> prepareOn(Backend replica, List<String> names) {
        List<ByteBuf> parses = null;
        for (int i = 0; i < names.size(); i++) {
            Entry e = entries.get(names.get(i));
            if (e != null && e.preparedOn != replica) {
                e.preparedOn = replica;
                if (parses == null) {
                    parses = new ArrayList<>(names.size());
                }
                parses.add(e.parse.retainedDuplicate());
            }
        }
        return parses == null ? List.of() : parses;
    }

    /** The client closed the statement; true when the replica connection has it prepared too. */
    boolean closed(String name, Backend replica) {
        Entry e = entries.remove(name);
        if (e == null) {
            return false;
        }
        if (e.parse != null) {
            e.parse.release();
        }
        return replica != null && e.preparedOn == replica;
    }

    /** Every statement's Parse, in no particular order, each a retained duplicate for the caller to release. */
    List<ByteBuf> parses() {
        return entries.values().stream().map(e -> e.parse.retainedDuplicate()).toList();
    }

    int size() {
        return entries.size();
    }

    /**
     * The replica connection is given back (reset before it serves again): nothing is prepared on
     * it any more, should it come back to this session.
     */
    void leftReplica(Backend replica) {
        for (Entry e : entries.values()) {
            if (e.preparedOn == replica) {
                e.preparedOn = null;
            }
        }
    }

    /** DEALLOCATE or DISCARD ALL: every statement is gone. */
    void clear() {
        entries.values().forEach(e -> {
            if (e.parse != null) {
                e.parse.release();
            }
        });
        entries.clear();
    }
}
