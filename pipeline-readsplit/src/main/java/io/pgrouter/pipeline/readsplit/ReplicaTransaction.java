package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.BIND;
import static io.pgrouter.spi.protocol.MessageType.Frontend.CLOSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.DESCRIBE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.FLUSH;
import static io.pgrouter.spi.protocol.MessageType.Frontend.FUNCTION_CALL;
import static io.pgrouter.spi.protocol.MessageType.Frontend.PARSE;
import static io.pgrouter.spi.protocol.MessageType.Frontend.QUERY;
import static io.pgrouter.spi.protocol.MessageType.Frontend.SYNC;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.SessionPin;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the client's messages while a read-only transaction (BEGIN READ ONLY, START TRANSACTION
 * READ ONLY, in any spelling and protocol) runs on the session's replica: everything goes there,
 * until the replica's ReadyForQuery says idle again. A write inside fails there as it would on
 * the primary (25006); nothing is retried on the primary, since the transaction lives on the
 * replica.
 *
 * <p>Two things keep the session's backends consistent. A named Parse runs on the replica and is
 * mirrored on the idle primary (its answer consumed by core), so the statement exists wherever a later
 * group may bind it. And what would leave session state on the replica alone (SET, RESET or
 * DISCARD of session settings, set_config(..., false), session advisory locks, cursors WITH HOLD,
 * SQL PREPARE/EXECUTE/DEALLOCATE) is refused with SQLSTATE 0A000: the replica runs a DO block
 * that raises the error, so the transaction is aborted there exactly as an error would abort it.
 */
final class ReplicaTransaction {
    private static final Logger log = LoggerFactory.getLogger(ReplicaTransaction.class);

    private final Session session;
    private final StatementClassifier classifier;
    private final PrimaryLink primary;
    private final ReplicaLink replica;
    private final NamedStatements named;

    /** The extended-protocol messages since the last Sync, sent whole at the Sync. */
    private final List<ByteBuf> group = new ArrayList<>();
    private final List<String> namedUsed = new ArrayList<>();
    private boolean parsesUnnamed;
    /** Why the group is refused, or null. */
    private String refusal;

    ReplicaTransaction(Session session, StatementClassifier classifier, PrimaryLink primary, ReplicaLink replica,
            NamedStatements named) {
        this.session = session;
        this.classifier = classifier;
        this.primary = primary;
        this.replica = replica;
        this.named = named;
    }

    /** A client message while the replica's transaction is open (Terminate excepted). */
    void client(byte type, ByteBuf message) {
        switch (type) {
            case QUERY -> query(message);
            case PARSE -> {
                parse(message);
                add(message);
            }
            case BIND -> {
                String statement = FrontendMessages.bindStatement(message); // null: malformed
                if (statement != null && !statement.isEmpty()) {
                    namedUsed.add(statement);
                }
                add(message);
            }
            case DESCRIBE -> {
                String name = FrontendMessages.name(message);
                if (FrontendMessages.target(message) == FrontendMessages.STATEMENT && name != null && !name.isEmpty()) {
                    namedUsed.add(name);
                }
                add(message);
            }
            case CLOSE -> {
                close(message);
                add(message);
            }
            case EXECUTE -> add(message);
            case FLUSH -> {
                add(message);
                sendGroup(false);
            }
            case SYNC -> {
                add(message);
                sendGroup(true);
            }
            case FUNCTION_CALL -> replica.sendInTransaction(message, List.of(), false, true);
            default -> replica.forwardInTransaction(message); // CopyData, CopyDone, CopyFail
        }
    }

    private void query(ByteBuf message) {
        Classification c = classifier.classify(FrontendMessages.queryText(message), primary.standardStrings());
        String why = refusal(c);
        if (why != null) {
            message.release();
            refuse(why);
            return;
        }
        log.debug("session {}: replica {} <- query (in its read-only transaction)", session.id(),
                replica.backend().address());
        replica.sendInTransaction(message, List.of(), false, true);
    }

    private void parse(ByteBuf message) {
        String name = FrontendMessages.name(message);
        Classification c = classifier.classify(FrontendMessages.parseText(message), primary.standardStrings());
        String why = refusal(c);
        if (why != null) {
            if (refusal == null) {
                refusal = why;
            }
            return;
        }
        if (name == null) {
            return; // malformed: the replica refuses it
        }
        if (name.isEmpty()) {
            parsesUnnamed = true;
            return;
        }
        // The statement must exist on the primary too, where groups outside the transaction bind it.
        named.parsed(name, message, c.replicaEligible() && !c.setsSessionState(), session.alloc());
        named.preparedOn(name, replica.backend());
        ByteBuf mirror = session.alloc().buffer(message.readableBytes() + 5);
        mirror.writeBytes(message, message.readerIndex(), message.readableBytes());
        primary.sendSilently(FrontendMessages.writeSync(mirror));
    }

    /** A Close of a named statement: the primary has it too, so it is closed there as well. */
    private void close(ByteBuf message) {
        String name = FrontendMessages.name(message);
        if (FrontendMessages.target(message) == FrontendMessages.STATEMENT && name != null && !name.isEmpty()) {
            named.closed(name, null);
            primary.sendSilently(FrontendMessages.writeSync(FrontendMessages.closeStatement(session.alloc(), name)));
        }
    }

    private void add(ByteBuf message) {
        group.add(message);
    }

    /** Sends the group gathered so far: at its Sync ({@code sync}), or ahead of it for a Flush. */
    private void sendGroup(boolean sync) {
        if (refusal != null && sync) {
            group.forEach(ByteBuf::release);
            String why = refusal;
            reset();
            refuse(why);
            return;
        }
        if (refusal != null) {
            // Flushed ahead of its Sync: the answers of what came before may already be awaited.
            // The refused Parse is sent as it is; the state it leaves lives on the replica only.
            log.warn("session {}: {} inside a replica transaction, sent ahead by a Flush, runs on the replica only",
                    session.id(), refusal);
            refusal = null;
        }
        int bytes = 0;
        for (ByteBuf m : group) {
            bytes += m.readableBytes();
        }
        ByteBuf all = session.alloc().buffer(bytes);
        for (ByteBuf m : group) {
            all.writeBytes(m, m.readerIndex(), m.readableBytes());
            m.release();
        }
        group.clear();
        log.debug("session {}: replica {} <- extended group (in its read-only transaction)", session.id(),
                replica.backend().address());
        replica.sendInTransaction(all, List.copyOf(namedUsed), parsesUnnamed, sync);
        if (sync) {
            reset();
        } else {
            namedUsed.clear();
        }
    }

    private void reset() {
        group.clear();
        namedUsed.clear();
        parsesUnnamed = false;
        refusal = null;
    }

    /**
     * Why a statement may not run inside a replica transaction: it would leave state on the
     * replica that the session's other backends do not have (or need state only the primary has).
     */
    private static String refusal(Classification c) {
        if (c.setsSessionState()) {
            return "SET/RESET/DISCARD of a session setting";
        }
        for (SessionPin pin : c.sessionPins()) {
            switch (pin) {
                case ADVISORY_LOCK -> {
                    return "a session-level advisory lock";
                }
                case SET_CONFIG -> {
                    return "set_config() of a session setting";
                }
                case CURSOR_WITH_HOLD -> {
                    return "a cursor WITH HOLD";
                }
                default -> {
                    // temporary objects and LISTEN fail on the replica by themselves
                }
            }
        }
        if (!c.preparedStatementCommands().isEmpty()) {
            return "SQL PREPARE/EXECUTE/DEALLOCATE";
        }
        return null;
    }

    /** Has the replica raise the error, so that its transaction is aborted as by any error. */
    private void refuse(String why) {
        String message = "pgrouter: " + why + " is not supported inside a read-only transaction that runs on a replica;"
                + " begin such a transaction with /* pgrouter:primary */ to run it on the primary";
        log.debug("session {}: refused in a replica transaction: {}", session.id(), why);
        String sql = "DO $pgrouter$BEGIN RAISE EXCEPTION USING ERRCODE = '" + SqlState.FEATURE_NOT_SUPPORTED + "', MESSAGE = '"
                + message.replace("'", "''") + "'; END$pgrouter$";
        replica.sendInTransaction(FrontendMessages.query(session.alloc(), sql), List.of(), false, true);
    }

    /** The session ends: drops what is gathered. */
    void stop() {
        group.forEach(ByteBuf::release);
        reset();
    }
}
