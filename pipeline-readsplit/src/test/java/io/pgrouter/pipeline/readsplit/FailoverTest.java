package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyConfig;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.FakeSession.Kind;
import io.pgrouter.spi.testkit.Recorded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A readsplit session whose primary goes away, message by message: it moves, or ends with a clear error. */
class FailoverTest {
    private static final Endpoint NEW_PRIMARY = new Endpoint("primary2", 5432);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A clock the test moves, and the delayed tasks it runs when told. */
    private static final class ManualTimer implements Failover.Timer {
        long now;
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void after(Duration delay, Runnable task) {
            tasks.add(task);
        }

        void pass(Duration d) {
            now += d.toNanos();
            List<Runnable> due = List.copyOf(tasks);
            tasks.clear();
            due.forEach(Runnable::run);
        }
    }

    private final FakeSession session = new FakeSession();
    private final ManualTimer timer = new ManualTimer();
    private final FailoverCounts counts = new FailoverCounts();
    private ReadsplitSession pipeline;
    private FakeBackend primary;

    @BeforeEach
    void connect() {
        session.cluster(FakeSession.snapshot(1, FakeSession.PRIMARY, FakeSession.REPLICA));
        pipeline = session.start(s -> new ReadsplitSession(s, new StatementClassifier(), new ReplicaLoad(),
                ConsistencyConfig.defaults(ReplayPositions.NONE), WAIT, timer, counts));
        assertEquals(Kind.RELAY_TO_PRIMARY, session.requests().get(0).kind());
        primary = session.grant();
        primary.serverRead(session.readyForQuery(BackendMessages.IDLE)); // the end of the relayed login
        session.takeToClientTypes();
    }

    /**
     * A statement the primary runs and answers, idle afterwards; one that may write is followed by
     * pgrouter's query of its WAL position (read-your-writes), answered too.
     */
    private void onPrimary(String sql) {
        session.clientRead(session.query(sql));
        primary.serverRead(session.commandComplete("OK"), session.readyForQuery(BackendMessages.IDLE));
        if (!sql.startsWith("SET") && !sql.startsWith("DISCARD")) {
            primary.serverRead(BackendMessages.rowDescription(session.alloc(), "lsn"),
                    BackendMessages.dataRow(session.alloc(), "0/10"), session.commandComplete("SELECT 1"),
                    session.readyForQuery(BackendMessages.IDLE));
        }
        session.takeToClientTypes();
    }

    /** The primary shuts down: its FATAL, then the connection closes. */
    private void primaryShutsDown() {
        primary.serverRead(BackendMessages.errorResponse(session.alloc(), "FATAL", SqlState.ADMIN_SHUTDOWN,
                "terminating connection due to administrator command"));
        primary.lost(null);
    }

    /** The client began a transaction block on the primary, which then shuts down; the client heard nothing yet. */
    private void primaryGoesInsideATransaction() {
        session.clientRead(session.query("BEGIN"));
        primary.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.takeToClientTypes();
        primaryShutsDown();
        assertEquals("", session.takeToClientTypes(), "an idle client hears of the loss at its next message");
    }

    private void newPrimaryPromoted() {
        session.cluster(FakeSession.snapshot(2, NEW_PRIMARY));
        timer.pass(Failover.POLL);
    }

    private static List<String> queries(List<Recorded> sent) {
        return sent.stream().filter(r -> r.type() == MessageType.Frontend.QUERY).map(Recorded::buf)
                .map(FrontendMessages::queryText).toList();
    }

    private String lastErrorCode() {
        List<Recorded> all = session.toClient();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).type() == MessageType.Backend.ERROR_RESPONSE) {
                return BackendMessages.sqlState(all.get(i).buf());
            }
        }
        return null;
    }

    @Test
    void anIdleSessionMovesWithItsSettingsAndPreparedStatements() {
        onPrimary("SET search_path TO app, public");
        onPrimary("PREPARE q AS SELECT count(*) FROM items");
        session.clientRead(FrontendMessages.parse(session.alloc(), "S_1", "SELECT 1 FROM items WHERE id = $1"),
                FrontendMessages.sync(session.alloc()));
        primary.serverRead(session.message(MessageType.Backend.PARSE_COMPLETE),
                session.readyForQuery(BackendMessages.IDLE));
        session.takeToClientTypes();

        primaryShutsDown();
        assertEquals("", session.takeToClientTypes(), "an idle client hears nothing of the loss");
        assertFalse(session.closed());
        assertInstanceOf(Failover.Waiting.class, pipeline.failover().state());
        assertEquals(List.of(), session.requests(), "the snapshot still names the old primary: no login yet");

        session.takeRouted(); // what ran on the old primary
        session.clientRead(session.query("INSERT INTO items VALUES (4)")); // waits for the new primary
        assertEquals(List.of(), session.takeRouted(), "not sent anywhere yet");
        newPrimaryPromoted();
        assertEquals(Kind.LOGIN, session.requests().get(0).kind());
        assertEquals(NEW_PRIMARY, session.requests().get(0).target());
        FakeBackend moved = session.grant();

        assertEquals(List.of("SET search_path TO app, public", "PREPARE q AS SELECT count(*) FROM items"),
                queries(moved.sentInternally()));
        assertTrue(moved.sentInternallyTypes().endsWith("PS"), "the named statement is parsed again: "
                + moved.sentInternallyTypes());
        assertEquals(List.of("INSERT INTO items VALUES (4)"), queries(moved.sent()), "what waited goes there");
        assertEquals(List.of(NEW_PRIMARY + " write"), session.takeRouted(),
                "the write that waited counts where it ran, once; the replayed state not at all");
        List<Recorded> told = session.toClient();
        assertEquals(MessageType.Backend.NOTICE_RESPONSE, told.get(told.size() - 1).type());
        assertTrue(told.get(told.size() - 1).body().contains("the primary changed to primary2:5432; the session moved"));
        assertEquals(1, counts.movedCount());
        session.takeToClientTypes();
        for (int replayed = 0; replayed < 3; replayed++) { // SET, PREPARE, Parse+Sync: core consumes the answers
            moved.serverRead(session.commandComplete("OK"), session.readyForQuery(BackendMessages.IDLE));
        }
        assertEquals("", session.takeToClientTypes());
        moved.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IDLE));
        moved.serverRead(BackendMessages.rowDescription(session.alloc(), "lsn"),
                BackendMessages.dataRow(session.alloc(), "0/20"), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IDLE));
        // Sent while the session waited, the write's position is asked for after its ReadyForQuery.
        assertEquals("CZS", session.takeToClientTypes(), "the write's answer, ReadyForQuery, its position");
        session.finish();
    }

    @Test
    void aTransactionLostIdleGetsOne40001ThenTheRollbackIsAnswered() {
        primaryGoesInsideATransaction();
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertEquals(SqlState.SERIALIZATION_FAILURE, lastErrorCode());
        assertEquals(BackendMessages.FAILED_TRANSACTION, lastReadyStatus());
        assertEquals("EZ", session.takeToClientTypes());

        session.clientRead(session.query("SELECT 1"));
        assertEquals(SqlState.IN_FAILED_SQL_TRANSACTION, lastErrorCode(), "the news comes once");
        assertEquals("EZ", session.takeToClientTypes());

        session.clientRead(session.query("ROLLBACK"));
        assertEquals(BackendMessages.IDLE, lastReadyStatus());
        assertEquals("CZ", session.takeToClientTypes());

        session.clientRead(session.query("INSERT INTO t VALUES (2)"));
        newPrimaryPromoted();
        FakeBackend moved = session.grant();
        assertEquals(List.of("INSERT INTO t VALUES (2)"), queries(moved.sent()));
        session.finish();
    }

    @Test
    void aDriversExtendedRollbackEndsTheLostBlock() {
        primaryGoesInsideATransaction();

        session.clientRead(FrontendMessages.parse(session.alloc(), "", "INSERT INTO t VALUES ($1)"),
                FrontendMessages.bind(session.alloc(), "", "", "1"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals(SqlState.SERIALIZATION_FAILURE, lastErrorCode());
        assertEquals("EZ", session.takeToClientTypes(), "one error for the group, then ReadyForQuery");

        // pgjdbc parses its ROLLBACK as a named statement, and binds it again at later rollbacks.
        session.clientRead(FrontendMessages.parse(session.alloc(), "S_2", "ROLLBACK"),
                FrontendMessages.bind(session.alloc(), "", "S_2"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals(BackendMessages.IDLE, lastReadyStatus());
        assertEquals("12CZ", session.takeToClientTypes());

        newPrimaryPromoted();
        FakeBackend moved = session.grant();
        assertEquals("PS", moved.sentInternallyTypes(), "the ROLLBACK statement the client believes parsed exists there");
        session.finish();
    }

    @Test
    void anUnannouncedCommitFailsAndEndsTheBlock() {
        primaryGoesInsideATransaction();

        session.clientRead(session.query("COMMIT"));
        assertEquals(SqlState.SERIALIZATION_FAILURE, lastErrorCode());
        assertEquals(BackendMessages.IDLE, lastReadyStatus(), "a COMMIT ends the block even when it fails");
        assertEquals("EZ", session.takeToClientTypes());
        session.finish();
    }

    @Test
    void aStatementInFlightGetsTheErrorAndTheSessionGoesOn() {
        session.clientRead(session.query("SELECT pg_sleep(10) FROM pg_stat_activity"));
        session.takeToClientTypes();
        primaryShutsDown();
        assertEquals(SqlState.ADMIN_SHUTDOWN, lastErrorCode());
        assertEquals(BackendMessages.IDLE, lastReadyStatus());
        assertEquals("ERROR", BackendMessages.severity(session.toClient().get(session.toClient().size() - 2).buf()),
                "an ERROR, not the FATAL: the client's connection stays");
        assertEquals("EZ", session.takeToClientTypes());
        assertFalse(session.closed());
        session.finish();
    }

    @Test
    void aSessionWithATemporaryTableEndsWithAFatalNamingIt() {
        onPrimary("CREATE TEMP TABLE scratch (id int)");
        primaryShutsDown();
        assertEquals(SqlState.CONNECTION_FAILURE, session.failure());
        assertTrue(session.failureMessage().contains("temporary tables, which cannot move"), session.failureMessage());
        assertEquals(1, counts.endedCount());
        session.finish();
    }

    @Test
    void discardAllClearsWhatCouldNotMove() {
        onPrimary("LISTEN jobs");
        onPrimary("SELECT pg_advisory_lock(1)");
        onPrimary("DISCARD ALL");
        primaryShutsDown();
        assertFalse(session.closed());
        newPrimaryPromoted();
        session.grant();
        assertEquals(1, counts.movedCount());
        session.finish();
    }

    @Test
    void unlistenClearsOnlyListen() {
        onPrimary("LISTEN jobs");
        onPrimary("SELECT pg_advisory_lock(1)");
        onPrimary("UNLISTEN *");
        primaryShutsDown();
        assertTrue(session.failureMessage().contains("session advisory locks"), session.failureMessage());
        assertFalse(session.failureMessage().contains("LISTEN"), session.failureMessage());
        session.finish();
    }

    @Test
    void withoutANewPrimaryInTimeTheSessionEndsWithTheLostPrimarysError() {
        primaryShutsDown();
        session.cluster(new ClusterSnapshot(List.of(), Optional.empty(), false, 2, java.time.Instant.EPOCH));
        timer.pass(Duration.ofSeconds(5));
        assertNull(session.failure());
        timer.pass(Duration.ofSeconds(5));
        assertEquals(SqlState.ADMIN_SHUTDOWN, session.failure());
        assertTrue(session.failureMessage().contains("no other primary appeared within 10000 ms"),
                session.failureMessage());
        session.finish();
    }

    @Test
    void aFailedLoginToTheNewPrimaryIsTriedAgain() {
        primaryShutsDown();
        newPrimaryPromoted();
        session.refuse(SqlState.CANNOT_CONNECT_NOW, "the database system is starting up");
        assertFalse(session.closed());
        timer.pass(Failover.POLL);
        session.grant();
        assertInstanceOf(Failover.Attached.class, pipeline.failover().state());
        session.finish();
    }

    @Test
    void aNewPrimaryThatKeepsRefusingTheLoginEndsTheSessionAtTheDeadlineWithItsReason() {
        primaryShutsDown();
        newPrimaryPromoted();
        session.refuse("28P01", "password authentication failed for user \"app\"");
        timer.pass(WAIT);
        assertEquals(SqlState.ADMIN_SHUTDOWN, session.failure());
        assertTrue(session.failureMessage().contains("could not log in to the new one within 10000 ms: primary2:5432 "
                + "said: password authentication failed"), session.failureMessage());
        assertEquals(List.of(), session.requests(), "no login after the deadline");
        session.finish();
    }

    @Test
    void aSwitchoverTheConnectionSurvivedMovesTheSessionAtItsNextStatement() {
        onPrimary("SET application_name TO 'app'");
        session.cluster(FakeSession.snapshot(2, NEW_PRIMARY, FakeSession.PRIMARY));
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertTrue(primary.closedByPipeline(), "the old primary's connection is left");
        FakeBackend moved = session.grant();
        assertEquals(NEW_PRIMARY, moved.address());
        assertEquals(List.of("SET application_name TO 'app'"), queries(moved.sentInternally()));
        assertEquals(List.of("INSERT INTO t VALUES (1)"), queries(moved.sent()));
        session.finish();
    }

    @Test
    void withPgroutersOwnAuthenticationTheNewPrimaryComesFromThePool() {
        FakeSession pooled = new FakeSession().pgrouterAuthenticates(true);
        pooled.cluster(FakeSession.snapshot(1, FakeSession.PRIMARY));
        pooled.start(s -> new ReadsplitSession(s, new StatementClassifier(), new ReplicaLoad(),
                ConsistencyConfig.defaults(ReplayPositions.NONE), WAIT, timer, counts));
        assertEquals(Kind.ACQUIRE_PRIMARY, pooled.requests().get(0).kind());
        FakeBackend old = pooled.grant();
        old.serverRead(BackendMessages.errorResponse(pooled.alloc(), "FATAL", SqlState.ADMIN_SHUTDOWN,
                "terminating connection due to administrator command"));
        old.lost(null);
        assertFalse(pooled.closed());
        pooled.cluster(FakeSession.snapshot(2, NEW_PRIMARY));
        timer.pass(Failover.POLL);
        assertEquals(Kind.ACQUIRE, pooled.requests().get(0).kind(), "a pooled connection, reset by core if used");
        assertEquals(NEW_PRIMARY, pooled.requests().get(0).target());
        pooled.grant();
        assertEquals(1, counts.movedCount());
        pooled.finish();
        session.finish();
    }

    private byte lastReadyStatus() {
        List<Recorded> all = session.toClient();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).type() == MessageType.Backend.READY_FOR_QUERY) {
                ByteBuf b = all.get(i).buf();
                return BackendMessages.transactionStatus(b);
            }
        }
        throw new AssertionError("no ReadyForQuery");
    }
}
