package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.BIND;
import static io.pgrouter.spi.protocol.MessageType.Frontend.CLOSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.DESCRIBE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.PARSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.SYNC;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.pipeline.readsplit.consistency.ReadConsistency;
import io.pgrouter.pipeline.readsplit.consistency.SettingCommand;
import io.pgrouter.pipeline.readsplit.consistency.SettingException;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Answers {@code SET}, {@code RESET} and {@code SHOW} of pgrouter's own settings
 * ({@code pgrouter.consistency}, {@code pgrouter.min_lsn}, {@code pgrouter.max_lag}) as
 * PostgreSQL answers its own: as a simple Query, or as an extended-protocol group (what pgjdbc
 * sends), named statements included. They never reach PostgreSQL, which would keep any
 * {@code pgrouter.*} value as a placeholder setting, accepting a misspelt value in silence.
 * Builds the answers without their ReadyForQuery, which the session adds when the answers before
 * it have reached the client.
 */
final class OwnSettings {
    private final ReadConsistency consistency;
    /** Named statements whose text is one of pgrouter's settings: they live here, not on any backend. */
    private final Map<String, SettingCommand> statements = new HashMap<>();

    OwnSettings(ReadConsistency consistency) {
        this.consistency = consistency;
    }

    /**
     * Whether a Parse or Bind of an extended-protocol group is one of pgrouter's settings: then it
     * is noted in the group, which pgrouter answers itself when nothing else is in it
     * ({@link ExtendedGroup#ownOnly()}).
     */
    boolean claims(byte type, ByteBuf message, ExtendedGroup group) {
        if (type == PARSE) {
            String text = FrontendMessages.parseText(message);
            Optional<SettingCommand> setting = text == null ? Optional.empty() : SettingCommand.parse(text);
            if (setting.isPresent()) {
                group.ownParse(FrontendMessages.name(message), setting.get());
                group.notReplica("pgrouter setting");
                return true;
            }
        } else if (type == BIND) {
            String statement = FrontendMessages.bindStatement(message);
            if (statement != null && (group.ownParsed(statement) != null
                    || (!statement.isEmpty() && statements.containsKey(statement)))) {
                group.ownBind();
                group.notReplica("pgrouter setting");
                return true;
            }
        }
        return false;
    }

    /** The named statement, if it is one of pgrouter's. */
    SettingCommand statement(String name) {
        return statements.get(name);
    }

    /** A Close of a named statement of pgrouter's: forgotten here. */
    void closed(String name) {
        statements.remove(name);
    }

    /** The answer to a simple Query. */
    ByteBuf answerQuery(ByteBufAllocator alloc, SettingCommand command) {
        ByteBuf out = alloc.buffer();
        execute(alloc, command, true, out);
        return out;
    }

    /**
     * The answer to a group of Parse, Bind, Describe, Execute, Close and Sync messages whose
     * statements are all pgrouter's ({@code parsed}: the unnamed one the group parses, if any).
     * After an error the rest is skipped up to the Sync, as PostgreSQL does.
     */
    ByteBuf answerGroup(ByteBufAllocator alloc, ByteBuf group, SettingCommand parsedUnnamed) {
        ByteBuf out = alloc.buffer();
        SettingCommand unnamed = parsedUnnamed;
        SettingCommand portal = null;
        boolean failed = false;
        for (int at = group.readerIndex(); at < group.writerIndex(); ) {
            int next = Messages.next(group, at);
            ByteBuf m = group.slice(at, next - at);
            byte type = m.getByte(m.readerIndex());
            at = next;
            if (failed && type != SYNC) {
                continue;
            }
            switch (type) {
                case PARSE -> {
                    String name = FrontendMessages.name(m);
                    SettingCommand c = SettingCommand.parse(FrontendMessages.parseText(m)).orElseThrow();
                    if (name.isEmpty()) {
                        unnamed = c;
                    } else {
                        statements.put(name, c);
                    }
                    append(out, BackendMessages.bodiless(alloc, MessageType.Backend.PARSE_COMPLETE));
                }
                case BIND -> {
                    String name = FrontendMessages.bindStatement(m);
                    portal = "".equals(name) ? unnamed : statements.get(name);
                    append(out, BackendMessages.bodiless(alloc, MessageType.Backend.BIND_COMPLETE));
                }
                case DESCRIBE -> {
                    boolean statement = FrontendMessages.target(m) == FrontendMessages.STATEMENT;
                    String name = FrontendMessages.name(m);
                    SettingCommand c = statement ? ("".equals(name) ? unnamed : statements.get(name)) : portal;
                    if (statement) {
                        append(out, alloc.buffer(7).writeByte(MessageType.Backend.PARAMETER_DESCRIPTION).writeInt(6)
                                .writeShort(0));
                    }
                    if (c != null && c.kind() == SettingCommand.Kind.SHOW) {
                        append(out, BackendMessages.rowDescription(alloc, c.fullName()));
                    } else {
                        append(out, BackendMessages.bodiless(alloc, MessageType.Backend.NO_DATA));
                    }
                }
                case EXECUTE -> failed = !execute(alloc, portal, false, out);
                case CLOSE -> {
                    if (FrontendMessages.target(m) == FrontendMessages.STATEMENT) {
                        statements.remove(FrontendMessages.name(m));
                    }
                    append(out, BackendMessages.bodiless(alloc, MessageType.Backend.CLOSE_COMPLETE));
                }
                default -> {
                    // Sync (the session adds ReadyForQuery), Flush: no answer of their own
                }
            }
        }
        return out;
    }

    /** Runs a command, writing its answer (with a RowDescription for SHOW when {@code describe}); false on error. */
    private boolean execute(ByteBufAllocator alloc, SettingCommand c, boolean describe, ByteBuf out) {
        try {
            if (c == null) {
                throw new SettingException(io.pgrouter.spi.protocol.SqlState.PROTOCOL_VIOLATION,
                        "pgrouter: Execute without a bound pgrouter setting statement");
            }
            if (c.local()) {
                throw new SettingException(io.pgrouter.spi.protocol.SqlState.FEATURE_NOT_SUPPORTED,
                        "pgrouter: SET LOCAL " + c.fullName() + " is not supported: pgrouter's settings last for the session");
            }
            switch (c.kind()) {
                case SET -> consistency.set(c.name(), c.value());
                case RESET -> consistency.reset(c.name());
                case SHOW -> {
                    String value = consistency.show(c.name());
                    if (describe) {
                        append(out, BackendMessages.rowDescription(alloc, c.fullName()));
                    }
                    append(out, BackendMessages.dataRow(alloc, value));
                }
            }
            append(out, BackendMessages.commandComplete(alloc, c.tag()));
            return true;
        } catch (SettingException e) {
            append(out, BackendMessages.errorResponse(alloc, "ERROR", e.sqlState(), e.getMessage()));
            return false;
        }
    }

    private static void append(ByteBuf out, ByteBuf message) {
        out.writeBytes(message);
        message.release();
    }
}
