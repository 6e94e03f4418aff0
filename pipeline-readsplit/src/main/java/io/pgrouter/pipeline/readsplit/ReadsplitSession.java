package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.Route;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One readsplit session. The client authenticates against the primary (its startup is relayed);
 * a replica is logged into by pgrouter when a read first needs one, and gets the session's
 * SET/RESET/DISCARD history replayed before it serves.
 *
 * <p>A read (a simple Query, or an extended-protocol group up to its Sync that uses only the
 * unnamed statement and portal) goes to the replica when the session is idle (the primary's
 * ReadyForQuery says 'I'), nothing is in flight on the primary, the session is not pinned, and
 * the replica has seen the session's last write. Everything else goes to the primary. A replica's answer is held back until its
 * first row or completion, so that a refusal (25006 and kin) can be re-run on the primary unseen.
 * One statement at a time is in flight on the replica; client messages arriving meanwhile wait,
 * so answers keep their order.
 */
final class ReadsplitSession implements SessionPipeline {
    private static final Logger log = LoggerFactory.getLogger(ReadsplitSession.class);

    private final Session session;
    private final StatementClassifier classifier;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private final List<String> sessionState = new ArrayList<>();
    private final PrimaryLink primaryLink;
    private final ExtendedGroup group = new ExtendedGroup();

    private Backend replica;
    private boolean replicaLoggingIn;
    /** The query that made pgrouter log into a replica, sent once the login ends. */
    private ByteBuf loginQuery;
    /** Answers (up to ReadyForQuery) the replica owes for replayed state or abandoned statements. */
    private int replicaSwallow;
    private ReplicaStatement current;
    private boolean pinned;
    /** Snapshot generation current when the session's last write completed; -1 before any. */
    private long writeGeneration = -1;
    private boolean stopped;

    ReadsplitSession(Session session, StatementClassifier classifier) {
        this.session = session;
        this.classifier = classifier;
        this.primaryLink = new PrimaryLink(session, this::afterPrimaryReady);
    }

    // ---- client -------------------------------------------------------------------------------

    @Override
    public void client(ByteBuf message) {
        if (replicaLoggingIn || current != null || !primaryLink.isConnected()) {
            if (!primaryLink.isConnected()) {
                primaryLink.queueBeforeConnect(message);
                return;
            }
            queued.add(message); // wait for the replica's statement: answers must stay in order
            return;
        }
        byte type = message.getByte(message.readerIndex());
        switch (type) {
            case 'P', 'B', 'D', 'E', 'C', 'H', 'S' -> extended(type, message);
            case 'Q' -> {
                flushGroupToPrimary();
                query(message);
            }
            case 'X' -> {
                flushGroupToPrimary();
                primaryLink.send(message, false);
                closeReplica();
                primaryLink.terminate();
            }
            case 'F' -> {
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
        if (group.onPrimary()) {
            primaryLink.send(message, type == 'S', type == 'E');
            if (type == 'S') {
                group.reset();
            }
            return;
        }
        switch (type) {
            case 'P' -> {
                Classification c = classifier.classify(Messages.parseText(message), primaryLink.standardStrings());
                if (c.setsSessionState() || c.pinsSession()) {
                    pin("extended-protocol " + c.reason().description());
                }
                if (!Messages.firstName(message).isEmpty()) {
                    group.notReplica("named statement");
                } else if (c.route() != Route.REPLICA || c.setsSessionState()) {
                    group.notReplica(c.reason().description());
                }
            }
            case 'B' -> {
                if (!Messages.bindNamesEmpty(message)) {
                    group.notReplica("named statement or portal");
                }
            }
            case 'D' -> {
                if (!Messages.describedName(message).isEmpty()) {
                    group.notReplica("named statement or portal");
                }
            }
            case 'E' -> {
                group.executes();
                if (!Messages.firstName(message).isEmpty()) {
                    group.notReplica("named portal");
                }
            }
            case 'S' -> {
                // the end of the group: routed below
            }
            default -> group.notReplica(type == 'H' ? "Flush" : "Close"); // 'C', 'H'
        }
        group.add(message);
        if (type == 'H' || group.mustFlush()) {
            flushGroupToPrimary();
        } else if (type == 'S') {
            endGroup();
        }
    }

    private void endGroup() {
        String notRead = group.notReplicaReason();
        Optional<String> notReplica = whyNotReplica(notRead);
        if (notReplica.isPresent()) {
            boolean writes = group.hasExecute() && notRead != null;
            ByteBuf request = group.merge(session.alloc());
            group.reset();
            log.debug("session {}: primary <- extended group ({})", session.id(), notReplica.get());
            primaryLink.send(request, true, writes || primaryLink.transactionStatus() != 'I');
            return;
        }
        ByteBuf request = group.merge(session.alloc());
        group.reset();
        read(request);
    }

    /** Sends what the current group holds to the primary; the rest of it follows there. */
    private void flushGroupToPrimary() {
        if (group.isEmpty()) {
            return;
        }
        boolean writes = group.hasExecute();
        for (ByteBuf m : group.flushToPrimary()) {
            primaryLink.send(m, false, writes);
        }
    }

    private void query(ByteBuf message) {
        Classification c = classifier.classify(Messages.queryText(message), primaryLink.standardStrings());
        if (c.pinsSession()) {
            pin(c.reason().description());
        }
        Optional<String> notReplica = whyNotReplica(c.route() == Route.REPLICA ? null : c.reason().description());
        if (notReplica.isPresent()) {
            toPrimary(message, c, notReplica.get());
            return;
        }
        read(message);
    }

    /** Runs a read (a Query, or an extended group up to its Sync) on a replica when one may take it. */
    private void read(ByteBuf request) {
        if (replica == null) {
            Optional<BackendState> choice = ReplicaChoice.pick(session.cluster(), ThreadLocalRandom.current()::nextInt);
            if (choice.isEmpty()) {
                readOnPrimary(request, "no eligible replica");
                return;
            }
            if (!ReplicaChoice.hasSeenWrite(session.cluster(), choice.get().address(), writeGeneration)) {
                readOnPrimary(request, "read-your-writes");
                return;
            }
            logIntoReplica(choice.get(), request);
            return;
        }
        if (!ReplicaChoice.hasSeenWrite(session.cluster(), replica.address(), writeGeneration)) {
            readOnPrimary(request, "read-your-writes");
            return;
        }
        toReplica(request);
    }

    private void readOnPrimary(ByteBuf request, String why) {
        log.debug("session {}: primary <- read ({})", session.id(), why);
        primaryLink.send(request, true, false);
    }

    /** Why a read may not go to a replica now; {@code notRead} says why it is not a read at all. */
    private Optional<String> whyNotReplica(String notRead) {
        if (notRead != null) {
            return Optional.of(notRead);
        }
        if (primaryLink.transactionStatus() != 'I') {
            return Optional.of("in a transaction");
        }
        if (pinned) {
            return Optional.of("session pinned");
        }
        if (primaryLink.outstanding() > 0) {
            return Optional.of("primary busy");
        }
        if (replica != null && !ReplicaChoice.stillEligible(session.cluster(), replica.address())) {
            log.debug("session {}: replica {} is no longer eligible, leaving it", session.id(), replica.address());
            closeReplica();
        }
        return Optional.empty();
    }

    private void toPrimary(ByteBuf message, Classification c, String why) {
        if (c.setsSessionState()) {
            if (primaryLink.transactionStatus() == 'I') {
                // Kept to replay on a replica logged into later, and mirrored to the one in use.
                for (String command : c.sessionStateCommands()) {
                    sessionState.add(command);
                    if (replica != null) {
                        replica.send(Messages.query(session.alloc(), command));
                        replicaSwallow++;
                    }
                }
            } else {
                pin("session state set inside a transaction");
            }
        }
        boolean writes = c.route() == Route.PRIMARY && !c.setsSessionState()
                || primaryLink.transactionStatus() != 'I';
        log.debug("session {}: primary <- query ({})", session.id(), why);
        primaryLink.send(message, true, writes);
    }

    private void toReplica(ByteBuf message) {
        log.debug("session {}: replica {} <- query", session.id(), replica.address());
        current = new ReplicaStatement(message.retainedDuplicate());
        replica.send(message);
    }

    private void pin(String why) {
        if (!pinned) {
            pinned = true;
            log.debug("session {}: pinned to the primary ({})", session.id(), why);
            closeReplica();
        }
    }

    private void logIntoReplica(BackendState target, ByteBuf firstQuery) {
        replicaLoggingIn = true;
        loginQuery = firstQuery;
        session.login(target.address()).whenComplete((backend, error) -> {
            try {
                replicaLoggedIn(backend, error);
            } catch (RuntimeException e) {
                log.error("session {}: replica setup failed", session.id(), e);
                session.fail("XX000", "pgrouter: internal error: " + e);
            }
        });
    }

    private void replicaLoggedIn(Backend backend, Throwable error) {
        replicaLoggingIn = false;
        ByteBuf first = loginQuery;
        loginQuery = null;
        if (stopped) {
            if (backend != null) {
                backend.close();
            }
            if (first != null) {
                first.release();
            }
            return;
        }
        if (error != null) {
            log.debug("session {}: no replica this time: {}", session.id(), error.toString());
            primaryLink.send(first, true, false);
        } else {
            replica = backend;
            for (String command : sessionState) {
                replica.send(Messages.query(session.alloc(), command));
                replicaSwallow++;
            }
            toReplica(first);
        }
        drainQueued();
    }

    private void drainQueued() {
        while (!queued.isEmpty() && !replicaLoggingIn && current == null && !stopped) {
            client(queued.poll());
        }
    }

    // ---- backends ------------------------------------------------------------------------------

    @Override
    public void server(Backend backend, ByteBuf message) {
        if (primaryLink.owns(backend)) {
            boolean wrote = primaryLink.fromPrimary(message);
            if (wrote) {
                writeGeneration = session.cluster().generation();
            }
        } else if (backend == replica) {
            fromReplica(message);
        } else {
            message.release();
        }
    }

    private void fromReplica(ByteBuf message) {
        byte type = message.getByte(message.readerIndex());
        if (replicaSwallow > 0) {
            if (type == 'Z') {
                replicaSwallow--;
            } else if (type == 'E') {
                log.debug("session {}: replayed state failed on the replica: {}", session.id(), Messages.errorCode(message));
            }
            message.release();
            return;
        }
        if (type == 'S' || type == 'K' || current == null) {
            message.release(); // the client has the primary's parameters and pgrouter's key
            return;
        }
        if (!current.forwarding()) {
            if (type == 'E' && Messages.isReplicaRefusal(message)) {
                log.debug("session {}: replica refused ({}), re-running on the primary", session.id(),
                        Messages.errorCode(message));
                message.release();
                retryOnPrimary(true);
                return;
            }
            if (current.hold(message)) {
                return;
            }
            current.startForwarding(session::toClient);
        }
        session.toClient(message);
        if (type == 'Z') {
            finishReplicaStatement();
        }
    }

    /** Re-runs the replica's statement on the primary; the replica's rest is swallowed if it still talks. */
    private void retryOnPrimary(boolean replicaStillAnswering) {
        ReplicaStatement failed = current;
        current = null;
        if (replicaStillAnswering) {
            replicaSwallow++;
        }
        primaryLink.send(failed.takeQuery(), true, true);
        failed.release();
        drainQueued();
    }

    private void finishReplicaStatement() {
        current.release();
        current = null;
        drainQueued();
    }

    @Override
    public void backendClosed(Backend backend, Throwable cause) {
        if (backend == replica) {
            replica = null;
            replicaSwallow = 0;
            if (current != null) {
                if (current.forwarding()) {
                    session.fail("08006", "pgrouter: lost the replica " + backend.address() + " in the middle of an answer");
                } else {
                    retryOnPrimary(false); // nothing reached the client: the primary answers instead
                }
            }
            return;
        }
        if (primaryLink.owns(backend)) {
            primaryLink.closed(backend, cause);
        }
    }

    @Override
    public void cancel() {
        if (current != null && replica != null) {
            session.sendCancel(replica.address(), replica.processId(), replica.secretKey());
        } else {
            primaryLink.cancel();
        }
    }

    @Override
    public void stop() {
        stopped = true;
        while (!queued.isEmpty()) {
            queued.poll().release();
        }
        if (loginQuery != null) {
            loginQuery.release();
            loginQuery = null;
        }
        group.reset();
        if (current != null) {
            current.release();
            current = null;
        }
        closeReplica();
        primaryLink.stop();
    }

    private void afterPrimaryReady() {
        drainQueued();
    }

    private void closeReplica() {
        if (replica != null) {
            Backend r = replica;
            replica = null;
            replicaSwallow = 0;
            r.close();
        }
    }
}
