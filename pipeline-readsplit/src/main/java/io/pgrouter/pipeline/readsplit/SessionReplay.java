package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.protocol.FrontendMessages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a new primary connection must be given for a session to carry on there after a failover:
 * its SET/RESET/DISCARD history (the list replicas are given too), its SQL-level PREPAREs, and
 * its protocol-level named statements ({@link NamedStatements}), in that order. Core consumes the
 * answers; a replayed command that fails there is logged by core, as for replicas.
 */
final class SessionReplay {
    private final List<String> settings;
    private final NamedStatements named;
    private final UnmovableState unmovable;
    /** SQL PREPARE texts by statement name, in the order they were prepared. */
    private final Map<String, String> prepares = new LinkedHashMap<>();

    SessionReplay(List<String> settings, NamedStatements named, UnmovableState unmovable) {
        this.settings = settings;
        this.named = named;
        this.unmovable = unmovable;
    }

    /** Follows SQL PREPARE and DEALLOCATE in a statement text the session sends. */
    void note(Classification c, String text) {
        for (PreparedStatementCommand command : c.preparedStatementCommands()) {
            switch (command.kind()) {
                case PREPARE -> {
                    if (c.statementCount() != 1) {
                        unmovable.unreplayedPrepare();
                    } else {
                        // PostgreSQL refuses a name in use: the first text stays until deallocated.
                        prepares.putIfAbsent(command.name(), text);
                    }
                }
                case DEALLOCATE -> prepares.remove(command.name());
                case DEALLOCATE_ALL -> prepares.clear();
                case EXECUTE -> {
                }
            }
        }
    }

    /** Sends the session's state to a new primary connection, ahead of anything the client sends it. */
    void replayOn(Backend primary, ByteBufAllocator alloc) {
        for (String command : settings) {
            primary.sendInternal(FrontendMessages.query(alloc, command));
        }
        for (String prepare : prepares.values()) {
            primary.sendInternal(FrontendMessages.query(alloc, prepare));
        }
        for (ByteBuf parse : named.parses()) {
            ByteBuf request = alloc.buffer(parse.readableBytes() + 5).writeBytes(parse);
            parse.release();
            primary.sendInternal(FrontendMessages.writeSync(request));
        }
    }

    int statements() {
        return prepares.size() + named.size();
    }
}
