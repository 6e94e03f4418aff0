package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.TERMINATE;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.pipeline.readsplit.sql.TransactionEffect;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a readsplit session does about a change of primary, in one place: it records what a new
 * primary would need ({@link SessionReplay}) and what cannot move ({@link UnmovableState}), moves
 * the session ({@link Failover}) when {@link PrimaryLink} loses its connection or the cluster names
 * another primary, and answers the client itself while a transaction block lost with the old
 * primary is open ({@link LostTransaction}).
 */
final class PrimaryChange {
    private final Session session;
    private final PrimaryLink primaryLink;
    private final List<String> sessionState;
    private final UnmovableState unmovable = new UnmovableState();
    private final SessionReplay replay;
    private final Failover failover;
    private final LostTransaction lostTransaction;

    /**
     * @param sessionState the session's SET/RESET/DISCARD history, replayed on a new primary
     * @param namedEffects what each named statement does to the transaction
     * @param parse the session's handling of a named Parse (it keeps the statement)
     */
    PrimaryChange(Session session, StatementClassifier classifier, PrimaryLink primaryLink, List<String> sessionState,
            NamedStatements named, Map<String, TransactionEffect> namedEffects, Consumer<ByteBuf> parse,
            Duration wait, Failover.Timer timer, FailoverCounts counts) {
        this.session = session;
        this.primaryLink = primaryLink;
        this.sessionState = sessionState;
        this.replay = new SessionReplay(sessionState, named, unmovable);
        this.failover = new Failover(session, primaryLink, replay, unmovable, wait, timer, counts);
        this.lostTransaction = new LostTransaction(session, classifier, primaryLink::standardStrings, namedEffects,
                p -> parsedWhileLost(p, parse));
        primaryLink.onLoss((loss, inTransaction, announced) -> {
            if (inTransaction) {
                lostTransaction.lost(loss.primary(), announced);
            }
            failover.lost(loss);
        });
    }

    Failover failover() {
        return failover;
    }

    /**
     * A client message, before the session routes it: true when it was answered here (a lost
     * transaction block). When the cluster names another primary and nothing is open on the
     * session's connection, the session moves first (or ends, when it cannot).
     */
    boolean answers(byte type, ByteBuf message) {
        if (lostTransaction.active() && type != TERMINATE) {
            lostTransaction.client(message);
            return true;
        }
        if (failover.attached() && primaryLink.quiet()) {
            // On every message of a quiet session: reads the snapshot in place, allocates nothing.
            Optional<BackendState> named = session.cluster().primary();
            if (named.isPresent() && !primaryLink.isOn(named.get().address())) {
                primaryLink.leaveForNewPrimary(named.get().address());
            }
        }
        return false;
    }

    /** A statement text the session sends (a Query, or a Parse's text). */
    void statement(Classification c, String text) {
        unmovable.note(c, text, primaryLink.standardStrings());
        replay.note(c, text);
    }

    /**
     * The text of a Parse: as {@link #statement}, and the SETs in it are kept for a new primary
     * (a session that sets state this way is pinned to the primary: no replica needs them).
     */
    void parsed(Classification c, String text) {
        statement(c, text);
        if (c.setsSessionState() && primaryLink.transactionStatus() == BackendMessages.IDLE) {
            sessionState.addAll(c.sessionStateCommands());
        } else if (c.setsSessionState()) {
            settingInTransaction();
        }
    }

    /** A SET or RESET inside a transaction block: pgrouter does not replay those. */
    void settingInTransaction() {
        unmovable.settingInTransaction();
    }

    /**
     * A named Parse pgrouter answered itself in a lost transaction block (a driver's ROLLBACK):
     * kept like any other, and parsed on the new primary if the session is there already.
     */
    private void parsedWhileLost(ByteBuf message, Consumer<ByteBuf> parse) {
        try {
            parse.accept(message);
            if (failover.attached()) {
                ByteBuf request = session.alloc().buffer(message.readableBytes() + 5)
                        .writeBytes(message, message.readerIndex(), message.readableBytes());
                primaryLink.sendSilently(FrontendMessages.writeSync(request));
            }
        } finally {
            message.release();
        }
    }

    void stop() {
        failover.stop();
    }
}
