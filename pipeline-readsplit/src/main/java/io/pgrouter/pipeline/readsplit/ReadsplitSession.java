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
import static io.pgrouter.spi.protocol.MessageType.Frontend.TERMINATE;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyConfig;
import io.pgrouter.pipeline.readsplit.consistency.ReadConsistency;
import io.pgrouter.pipeline.readsplit.consistency.SettingCommand;
import io.pgrouter.pipeline.readsplit.consistency.SettingException;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.PreparedStatementCommand;
import io.pgrouter.pipeline.readsplit.sql.Route;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.pipeline.readsplit.sql.TransactionEffect;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.Messages;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One readsplit session: decides where each client message goes. The client authenticates
 * against the primary (its startup is relayed, see {@link PrimaryLink}); a replica is logged into
 * by pgrouter when a read first needs one (see {@link ReplicaLink}).
 *
 * <p>A read (a simple Query, or an extended-protocol group up to its Sync that uses only the
 * unnamed statement and portal) goes to the replica when the session is idle (the primary's
 * ReadyForQuery says 'I'), nothing is in flight on the primary, the session is not pinned, and
 * the replica has seen the session's last write. Everything else goes to the primary. One
 * statement at a time is in flight on the replica; client messages arriving meanwhile wait, so
 * answers keep their order.
 */
final class ReadsplitSession implements SessionPipeline {
    private static final Logger log = LoggerFactory.getLogger(ReadsplitSession.class);

    private final Session session;
    private final StatementClassifier classifier;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private final List<String> sessionState = new ArrayList<>();
    private final PrimaryLink primaryLink;
    private final ReplicaLink replicaLink;
    private final ExtendedGroup group = new ExtendedGroup();
    private final NamedStatements named = new NamedStatements();
    private final ReplicaTransaction replicaTransaction;
    private final ReplicaReads reads;
    private final PrimaryTransactionMode transactionMode = new PrimaryTransactionMode();

    private boolean pinned;
    private boolean stopped;
    private final ReadConsistency consistency;
    private final OwnSettings own;
    /** The answer to a pgrouter setting, waiting for the primary's answers to what the client sent before it. */
    private ByteBuf ownAnswer;
    /** What each named statement does to the transaction (COPY statements left out): known ones may learn positions. */
    private final Map<String, TransactionEffect> namedEffects = new HashMap<>();

    private final PrimaryChange primaryChange;

    ReadsplitSession(Session session, StatementClassifier classifier) {
        this(session, classifier, new ReplicaLoad(), ConsistencyConfig.defaults(ReplayPositions.NONE));
    }

    ReadsplitSession(Session session, StatementClassifier classifier, ReplicaLoad load,
            ConsistencyConfig consistencyConfig) {
        this(session, classifier, load, consistencyConfig, Failover.DEFAULT_WAIT, Failover.Timer.of(session),
                new FailoverCounts());
    }

    /**
     * @param load the sessions each replica serves, shared by the pipeline's sessions: the choice balances on it
     * @param consistencyConfig the consistency settings and replica positions every session shares
     */
    ReadsplitSession(Session session, StatementClassifier classifier, ReplicaLoad load,
            ConsistencyConfig consistencyConfig, java.time.Duration failoverWait, Failover.Timer timer,
            FailoverCounts failoverCounts) {
        this.session = session;
        this.classifier = classifier;
        this.consistency = new ReadConsistency(consistencyConfig.mode(), consistencyConfig.maxWait());
        this.own = new OwnSettings(consistency);
        this.primaryLink = new PrimaryLink(session, this::drainQueued, new WritePositions.Listener() {
            @Override
            public void learned(long position) {
                consistency.learned(position);
                consistencyConfig.latestWrite().accumulateAndGet(position, Math::max);
            }

            @Override
            public void notLearned() {
                consistency.notLearned();
            }
        });
        this.replicaLink = new ReplicaLink(session, primaryLink, sessionState, named, this::drainQueued, load,
                consistencyConfig.replicas(), consistencyConfig.askAgainAfter());
        this.replicaTransaction = new ReplicaTransaction(session, classifier, primaryLink, replicaLink, named);
        this.reads = new ReplicaReads(session, primaryLink, replicaLink, consistency, consistencyConfig, load);
        this.primaryChange = new PrimaryChange(session, classifier, primaryLink, sessionState, named, namedEffects,
                this::parse, failoverWait, timer, failoverCounts);
        try {
            consistency.startup(session.startupParameters());
        } catch (SettingException e) {
            session.fail(e.sqlState(), e.getMessage());
            return;
        }
        primaryLink.start();
    }

    /** Where the session is with its primary; for tests. */
    Failover failover() {
        return primaryChange.failover();
    }

    // ---- client -------------------------------------------------------------------------------

    @Override
    public void client(ByteBuf message) {
        if (!primaryLink.isConnected()) {
            primaryLink.queueBeforeConnect(message);
            return;
        }
        if (replicaLink.busy() || ownAnswer != null) {
            queued.add(message); // wait for the replica's statement or our own answer: answers must stay in order
            return;
        }
        byte type = Messages.type(message);
        if (primaryChange.answers(type, message)) {
            return; // a transaction block lost with the old primary: pgrouter answers until it ends
        }
        if (stopped) {
            message.release(); // the cluster named another primary and the session could not move
            return;
        }
        if (replicaLink.inTransaction() && type != TERMINATE) {
            replicaTransaction.client(type, message); // a BEGIN READ ONLY transaction runs there
            return;
        }
        switch (type) {
            case PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, FLUSH, SYNC -> extended(type, message);
            case QUERY -> {
                flushGroupToPrimary();
                query(message);
            }
            case TERMINATE -> {
                flushGroupToPrimary();
                replicaLink.leave();
                primaryLink.terminate(message);
            }
            case FUNCTION_CALL -> {
                flushGroupToPrimary();
                primaryLink.send(message, true, true); // a function call ends in ReadyForQuery
            }
            default -> {
                flushGroupToPrimary();
                primaryLink.send(message, false);
            }
        }
    }

    /** Gathers an extended-protocol group up to its Sync, then routes it whole. */
    private void extended(byte type, ByteBuf message) {
        if (!group.onPrimary() && own.claims(type, message, group)) {
            group.add(message);
            return;
        }
        Classification parsed = type == PARSE ? parse(message) : null;
        if (type == CLOSE) {
            close(message);
        }
        if (group.onPrimary()) {
            if (type == PARSE && FrontendMessages.namesUnnamed(message)) {
                replicaLink.forgetUnnamed();
            }
            primaryLink.send(message, type == SYNC, type == EXECUTE);
            if (type == SYNC) {
                group.reset();
            }
            return;
        }
        switch (type) {
            case PARSE -> group.noteParse(parsed, mayWrite(parsed), FrontendMessages.namesUnnamed(message));
            case BIND -> group.noteBind(message, named, namedEffects);
            case DESCRIBE -> group.noteDescribe(message, named);
            case EXECUTE -> group.noteExecute(message);
            case SYNC -> {
                // the end of the group: routed below
            }
            default -> group.notReplica(type == FLUSH ? "Flush" : "Close"); // Close, Flush
        }
        group.add(message);
        if (type == FLUSH || group.mustFlush()) {
            flushGroupToPrimary();
        } else if (type == SYNC) {
            endGroup();
        }
    }

    /** Classifies a Parse: it may pin the session, and a named one is kept for replicas. */
    private Classification parse(ByteBuf message) {
        String text = FrontendMessages.parseText(message);
        Classification c = classifier.classify(text, primaryLink.standardStrings());
        noteTransactionMode(c, text);
        primaryChange.parsed(c, text);
        if (c.setsSessionState() || c.pinsSession()) {
            pin("extended-protocol " + c.reason().description());
        }
        forgetDeallocated(c);
        String name = FrontendMessages.name(message);
        if (name != null && !name.isEmpty()) {
            if (c.copies()) {
                namedEffects.remove(name);
            } else {
                namedEffects.put(name, c.transactionEffect());
            }
            named.parsed(name, message, c.route() == Route.REPLICA && !c.setsSessionState(), session.alloc());
        }
        return c;
    }

    /** A Close of a named statement reaches the replica too when it has the statement. */
    private void close(ByteBuf message) {
        if (FrontendMessages.target(message) == FrontendMessages.STATEMENT) {
            String name = FrontendMessages.name(message);
            if (name != null) {
                own.closed(name);
                namedEffects.remove(name);
            }
            if (name != null && !name.isEmpty() && named.closed(name, replicaLink.backend())) {
                replicaLink.closeStatement(name);
            }
        }
    }

    /** SQL DEALLOCATE and DISCARD ALL remove protocol-level statements too. */
    private void forgetDeallocated(Classification c) {
        for (PreparedStatementCommand command : c.preparedStatementCommands()) {
            if (command.kind() == PreparedStatementCommand.Kind.DEALLOCATE_ALL) {
                named.clear();
            } else if (command.kind() == PreparedStatementCommand.Kind.DEALLOCATE) {
                named.closed(command.name(), null);
            }
        }
    }

    private void endGroup() {
        if (group.ownOnly()) {
            SettingCommand unnamed = group.ownParsed("");
            ByteBuf request = group.merge(session.alloc());
            group.reset();
            try {
                answerOwn(own.answerGroup(session.alloc(), request, unnamed));
            } finally {
                request.release();
            }
            return;
        }
        String notRead = group.notReplicaReason();
        boolean parses = group.parsesUnnamedStatement();
        List<String> namedReads = List.copyOf(group.namedReads());
        if (notRead == null && group.usesEarlierUnnamed()) {
            // The group runs the unnamed statement an earlier group parsed: it goes where that is.
            boolean mayRunThere = replicaLink.holdsUnnamed() && whyNotReplica(null).isEmpty();
            if (mayRunThere) {
                reads.leaveUnfitReplica(); // which may leave the replica, and the statement with it
            }
            if (mayRunThere && replicaLink.holdsUnnamed()) {
                ByteBuf request = group.merge(session.alloc());
                group.reset();
                reads.readWhereTheUnnamedIs(request, parses, namedReads);
                return;
            }
            notRead = "the unnamed statement is on the primary";
            group.mayWrite(); // parsed earlier: who knows
        }
        Optional<String> notReplica = whyNotReplica(notRead);
        if (notReplica.isPresent()) {
            boolean writes = group.executesWrite() || primaryLink.inWritableTransaction();
            boolean learn = writes && group.knownEffect().map(this::commits).orElse(false);
            ByteBuf request = group.merge(session.alloc());
            group.reset();
            if (parses) {
                replicaLink.forgetUnnamed();
            }
            log.debug("session {}: primary <- extended group ({})", session.id(), notReplica.get());
            primaryLink.send(request, true, writes, learn);
            return;
        }
        ByteBuf request = group.merge(session.alloc());
        group.reset();
        reads.read(request, parses, namedReads);
    }

    /** Sends what the current group holds to the primary; the rest of it follows there. */
    private void flushGroupToPrimary() {
        if (group.isEmpty()) {
            return;
        }
        if (group.parsesUnnamedStatement()) {
            replicaLink.forgetUnnamed();
        }
        boolean writes = group.hasExecute();
        for (ByteBuf m : group.flushToPrimary()) {
            primaryLink.send(m, false, writes);
        }
    }

    private void query(ByteBuf message) {
        String text = FrontendMessages.queryText(message);
        Optional<SettingCommand> setting = SettingCommand.parse(text);
        if (setting.isPresent()) {
            message.release();
            answerOwn(own.answerQuery(session.alloc(), setting.get()));
            return;
        }
        Classification c = classifier.classify(text, primaryLink.standardStrings());
        noteTransactionMode(c, text);
        primaryChange.statement(c, text);
        forgetDeallocated(c);
        if (c.pinsSession()) {
            pin(c.reason().description());
        }
        Optional<String> notReplica = whyNotReplica(c.route() == Route.REPLICA ? null : c.reason().description());
        if (notReplica.isPresent()) {
            toPrimary(message, c, notReplica.get());
            return;
        }
        reads.read(message, false, List.of());
    }

    /**
     * Whether a request that may write, with this effect on the transaction, leaves the session
     * idle with its write committed: then a position query is pipelined behind it. Known only
     * when nothing else is in flight on the primary.
     */
    private boolean commits(TransactionEffect effect) {
        return switch (effect) {
            case CLOSES -> true;
            case OPENS -> false;
            case NONE -> primaryLink.transactionStatus() == BackendMessages.IDLE && primaryLink.outstanding() == 0;
        };
    }

    /** Sends the client pgrouter's own answer (with a ReadyForQuery) once what it sent before is answered. */
    private void answerOwn(ByteBuf answer) {
        ownAnswer = answer;
        flushOwnAnswer();
    }

    private void flushOwnAnswer() {
        if (ownAnswer != null && primaryLink.outstanding() == 0 && !replicaLink.busy()) {
            session.toClient(ownAnswer);
            ownAnswer = null;
            session.toClient(BackendMessages.readyForQuery(session.alloc(), primaryLink.transactionStatus()));
        }
    }

    /** Why a read may not go to a replica now; {@code notRead} says why it is not a read at all. Asks, changes nothing. */
    private Optional<String> whyNotReplica(String notRead) {
        if (notRead != null) {
            return Optional.of(notRead);
        }
        if (primaryLink.transactionStatus() != BackendMessages.IDLE) {
            return Optional.of("in a transaction");
        }
        if (pinned) {
            return Optional.of("session pinned");
        }
        if (primaryLink.outstanding() > 0) {
            return Optional.of("primary busy");
        }
        return Optional.empty();
    }

    private void toPrimary(ByteBuf message, Classification c, String why) {
        if (c.setsSessionState()) {
            if (primaryLink.transactionStatus() == BackendMessages.IDLE) {
                // Kept to replay on a replica logged into later, and mirrored to the one in use.
                for (String command : c.sessionStateCommands()) {
                    sessionState.add(command);
                    replicaLink.mirror(command);
                }
            } else {
                primaryChange.settingInTransaction();
                pin("session state set inside a transaction");
            }
        }
        boolean writes = mayWrite(c) || primaryLink.inWritableTransaction();
        boolean learn = writes && !c.copies() && commits(c.transactionEffect());
        log.debug("session {}: primary <- query ({})", session.id(), why);
        primaryLink.send(message, true, writes, learn);
    }

    /** Follows whether the primary's transaction is read-only (see {@link PrimaryTransactionMode}). */
    private void noteTransactionMode(Classification c, String text) {
        primaryLink.readOnlyTransaction(transactionMode.note(c, text, primaryLink.transactionStatus()));
    }

    private boolean mayWrite(Classification c) {
        return transactionMode.mayWrite(c, primaryLink.transactionStatus());
    }

    private void pin(String why) {
        if (!pinned) {
            pinned = true;
            log.debug("session {}: pinned to the primary ({})", session.id(), why);
            replicaLink.leave(); // back to the pool: this session needs no replica any more
        }
    }

    private void drainQueued() {
        flushOwnAnswer();
        while (!queued.isEmpty() && !replicaLink.busy() && ownAnswer == null && !stopped) {
            client(queued.poll());
        }
    }

    // ---- backends ------------------------------------------------------------------------------

    /**
     * A plain answer goes to the client whole, in one write: a replica's to a read
     * ({@link ReplicaLink#forwardWhole}), the primary's ({@link PrimaryLink#forwardWhole});
     * anything else message by message.
     */
    @Override
    public void serverMessages(Backend backend, ByteBuf messages) {
        if (replicaLink.owns(backend) && replicaLink.forwardWhole(messages)) {
            return;
        }
        if (primaryLink.owns(backend)) {
            PrimaryLink.Whole whole = primaryLink.forwardWhole(messages);
            if (whole != PrimaryLink.Whole.NO) {
                afterPrimary(whole == PrimaryLink.Whole.FORWARDED_AFTER_WRITE);
                return;
            }
        }
        SessionPipeline.super.serverMessages(backend, messages);
    }

    @Override
    public void server(Backend backend, ByteBuf message) {
        if (primaryLink.owns(backend)) {
            afterPrimary(primaryLink.fromPrimary(message));
        } else if (replicaLink.owns(backend)) {
            replicaLink.fromReplica(message);
        } else {
            message.release();
        }
    }

    /** After a message or a batch from the primary: {@code wrote}, a write ended with it. */
    private void afterPrimary(boolean wrote) {
        if (wrote) {
            consistency.wrote();
            primaryLink.learnPositionUnlessComing();
        }
        if (ownAnswer != null) {
            drainQueued();
        }
    }

    @Override
    public void backendClosed(Backend backend, Throwable cause) {
        if (replicaLink.owns(backend)) {
            replicaLink.closed(cause);
        } else if (primaryLink.owns(backend)) {
            primaryLink.closed(backend, cause);
        }
    }

    @Override
    public void cancel() {
        if (!replicaLink.cancel()) {
            primaryLink.cancel();
        }
    }

    @Override
    public void stop() {
        stopped = true;
        if (ownAnswer != null) {
            ownAnswer.release();
            ownAnswer = null;
        }
        while (!queued.isEmpty()) {
            queued.poll().release();
        }
        group.reset();
        primaryChange.stop();
        replicaTransaction.stop();
        named.clear();
        replicaLink.stop();
        primaryLink.stop();
    }
}
