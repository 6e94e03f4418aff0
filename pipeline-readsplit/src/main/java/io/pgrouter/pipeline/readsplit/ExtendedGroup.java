package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.pipeline.readsplit.consistency.SettingCommand;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.Route;
import io.pgrouter.pipeline.readsplit.sql.TransactionEffect;
import io.pgrouter.spi.protocol.FrontendMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The extended-protocol messages a client sent since its last Sync (Parse, Bind, Describe,
 * Execute), gathered so the whole group goes to one backend. A replica may run the group only
 * if it uses the unnamed statement and portal alone (named ones live on the primary) and every
 * Parse is a read; otherwise it goes to the primary, and so does everything the client sends
 * until its Sync once the group was flushed there (a Flush, a Close, a group over 1 MiB). The
 * {@code note} methods apply those rules to each message as it arrives.
 */
final class ExtendedGroup {
    static final int LIMIT = 1 << 20;

    private final List<ByteBuf> messages = new ArrayList<>();
    private int bytes;
    private String notReplica;
    private boolean executes;
    private boolean onPrimary;
    private boolean parsesUnnamed;
    private boolean usesEarlierUnnamed;
    private final List<String> namedReads = new ArrayList<>();
    private boolean mayWrite;
    /** Parses and Binds of pgrouter's own settings ({@link OwnSettings}), and of anything else. */
    private int own;
    private int others;
    private final java.util.Map<String, SettingCommand> ownParsed = new java.util.HashMap<>();
    private TransactionEffect effect = TransactionEffect.NONE;
    /** A statement whose transaction effect is unknown (a named one parsed before pgrouter knew), or a COPY. */
    private boolean effectUnsure;

    boolean isEmpty() {
        return messages.isEmpty();
    }

    /** The group was flushed to the primary: the rest of it, up to Sync, goes there too. */
    boolean onPrimary() {
        return onPrimary;
    }

    void add(ByteBuf message) {
        messages.add(message);
        bytes += message.readableBytes();
        if (bytes > LIMIT) {
            notReplica("over 1 MiB before Sync");
        }
    }

    /** A Parse of the unnamed statement is in the group. */
    private void parsesUnnamed() {
        parsesUnnamed = true;
    }

    /** A Bind or Describe of the unnamed statement: does it use one parsed by an earlier group? */
    private void usesUnnamed() {
        if (!parsesUnnamed) {
            usesEarlierUnnamed = true;
        }
    }

    /** The group binds or describes the unnamed statement without parsing it first. */
    boolean usesEarlierUnnamed() {
        return usesEarlierUnnamed;
    }

    /** The group parses the unnamed statement (replacing any earlier one where it runs). */
    boolean parsesUnnamedStatement() {
        return parsesUnnamed;
    }

    /** The group binds or describes a named statement that is a read (prepared lazily on a replica). */
    private void usesNamedRead(String name) {
        namedReads.add(name);
    }

    List<String> namedReads() {
        return namedReads;
    }

    /** Something in the group may write: a Parse that is no read, a statement or portal not known to read. */
    void mayWrite() {
        mayWrite = true;
    }

    /** The group executes something that may write: reads then wait for replicas to replay it. */
    boolean executesWrite() {
        return executes && mayWrite;
    }

    private void executes() {
        executes = true;
    }

    boolean hasExecute() {
        return executes;
    }

    void notReplica(String why) {
        if (notReplica == null) {
            notReplica = why;
        }
    }

    /** Why a replica may not run the group, or null when it may. */
    String notReplicaReason() {
        return notReplica;
    }

    boolean mustFlush() {
        return bytes > LIMIT;
    }

    /** Hands the messages over (to the primary, in order) and marks the group as going there. */
    List<ByteBuf> flushToPrimary() {
        onPrimary = true;
        List<ByteBuf> out = new ArrayList<>(messages);
        messages.clear();
        bytes = 0;
        return out;
    }

    /** The group as one buffer (one write, one retry copy); the parts are released. */
    ByteBuf merge(ByteBufAllocator alloc) {
        ByteBuf all = alloc.buffer(bytes);
        for (ByteBuf m : messages) {
            all.writeBytes(m, m.readerIndex(), m.readableBytes());
            m.release();
        }
        messages.clear();
        return all;
    }

    /** A Parse of one of pgrouter's settings as statement {@code name} ("" for the unnamed one). */
    void ownParse(String name, SettingCommand command) {
        own++;
        ownParsed.put(name, command);
    }

    /** The statement this group parsed under that name, when it is one of pgrouter's settings; else null. */
    SettingCommand ownParsed(String name) {
        return ownParsed.get(name);
    }

    /** A Bind of a statement of pgrouter's. */
    void ownBind() {
        own++;
    }

    /** A Parse or Bind of anything else. */
    private void other() {
        others++;
    }

    /** Every Parse and Bind in the group is pgrouter's own: pgrouter answers the group itself. */
    boolean ownOnly() {
        return own > 0 && others == 0;
    }

    /** What a statement the group parses or binds does to the transaction; {@code copies}: it is a COPY. */
    private void effect(TransactionEffect statementEffect, boolean copies) {
        effect = effect.then(statementEffect);
        effectUnsure |= copies;
    }

    /** The group binds a statement whose effect is not known. */
    private void effectUnknown() {
        effectUnsure = true;
    }

    /**
     * What the group does to the transaction, when known for sure and no COPY is in it (a query
     * may then be pipelined behind it); empty otherwise.
     */
    java.util.Optional<TransactionEffect> knownEffect() {
        return effectUnsure ? java.util.Optional.empty() : java.util.Optional.of(effect);
    }

    // ---- what each message says about where the group may run ----------------------------------

    /**
     * A Parse of anything but one of pgrouter's settings.
     *
     * @param mayWrite the statement may write, for read-your-writes
     * @param unnamed  it parses the unnamed statement
     */
    void noteParse(Classification parsed, boolean mayWrite, boolean unnamed) {
        other();
        effect(parsed.transactionEffect(), parsed.copies());
        if (mayWrite) {
            mayWrite();
        }
        if (!unnamed) {
            notReplica("named statement"); // parsed on the primary, lazily on a replica
        } else {
            parsesUnnamed();
            if (parsed.route() != Route.REPLICA || parsed.setsSessionState()) {
                notReplica(parsed.reason().description());
            }
        }
    }

    /** A Bind of anything but one of pgrouter's settings; {@code effects}: what each named statement does to the transaction. */
    void noteBind(ByteBuf bind, NamedStatements named, Map<String, TransactionEffect> effects) {
        other();
        String statement = FrontendMessages.bindStatement(bind); // null: malformed
        TransactionEffect statementEffect = statement == null || statement.isEmpty() ? TransactionEffect.NONE
                : effects.get(statement);
        if (statementEffect == null) {
            effectUnknown();
        }
        if (!FrontendMessages.namesUnnamed(bind)) {
            notReplica("named portal");
        }
        if ("".equals(statement)) {
            usesUnnamed();
        } else if (statement != null && named.isRead(statement)) {
            usesNamedRead(statement);
        } else {
            notReplica("named statement");
            mayWrite();
        }
    }

    void noteDescribe(ByteBuf describe, NamedStatements named) {
        String name = FrontendMessages.name(describe); // null: malformed
        boolean statement = FrontendMessages.target(describe) == FrontendMessages.STATEMENT;
        if (statement && "".equals(name)) {
            usesUnnamed();
        } else if (statement && name != null && named.isRead(name)) {
            usesNamedRead(name);
        } else if (!"".equals(name)) {
            notReplica("named statement or portal");
        }
    }

    void noteExecute(ByteBuf execute) {
        executes();
        if (!FrontendMessages.namesUnnamed(execute)) {
            notReplica("named portal");
            mayWrite(); // bound earlier: who knows
        }
    }

    /** Starts the next group, after a Sync. */
    void reset() {
        messages.forEach(ByteBuf::release);
        messages.clear();
        bytes = 0;
        notReplica = null;
        executes = false;
        onPrimary = false;
        parsesUnnamed = false;
        usesEarlierUnnamed = false;
        namedReads.clear();
        mayWrite = false;
        own = 0;
        others = 0;
        ownParsed.clear();
        effect = TransactionEffect.NONE;
        effectUnsure = false;
    }
}
