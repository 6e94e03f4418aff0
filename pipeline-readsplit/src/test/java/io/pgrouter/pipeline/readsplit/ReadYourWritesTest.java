package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyConfig;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyMode;
import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.cluster.ReplayPositions;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.Recorded;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Read-your-writes by WAL position, the causal token and pgrouter's own settings, message by message. */
class ReadYourWritesTest {
    private final FakeSession session = new FakeSession();
    private final Positions positions = new Positions();
    private FakeBackend primary;

    /** Replica positions as core's probe would publish them. */
    private static final class Positions implements ReplayPositions {
        final Map<Endpoint, Long> known = new HashMap<>();

        @Override
        public long replayed(Endpoint replica) {
            return known.getOrDefault(replica, 0L);
        }

        @Override
        public void observed(Endpoint replica, long position) {
            known.merge(replica, position, Math::max);
        }
    }

    private void start(ConsistencyMode mode) {
        start(mode, ConsistencyConfig.ASK_AGAIN_AFTER);
    }

    private void start(ConsistencyMode mode, Duration askAgainAfter) {
        session.start(s -> new ReadsplitSession(s, new StatementClassifier(), new ReplicaLoad(),
                new ConsistencyConfig(mode, Duration.ZERO, positions, new AtomicLong(), askAgainAfter)));
        primary = session.grant();
    }

    private static List<String> queries(List<Recorded> sent) {
        return sent.stream().map(Recorded::buf).map(FrontendMessages::queryText).toList();
    }

    /** The answer to a one-value query, as PostgreSQL sends it. */
    private ByteBuf[] value(String v) {
        return new ByteBuf[] {BackendMessages.rowDescription(session.alloc(), "v"), BackendMessages.dataRow(session.alloc(), v),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE)};
    }

    /** A read that logs into the replica and runs there; its answer given: returns the replica. */
    private FakeBackend replicaAfterOneRead() {
        session.clientRead(session.query("SELECT 1"));
        FakeBackend replica = session.grant();
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        replica.takeSentTypes();
        session.takeToClientTypes();
        return replica;
    }

    /** An autocommit write on the primary and its answer, then the position query's answer. */
    private void write(String position) {
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        primary.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(value(position));
    }

    @Test
    void anAutocommitWriteLearnsItsPositionBeforeTheClientHearsReadyForQuery() {
        start(ConsistencyMode.SESSION);
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        assertEquals(List.of("INSERT INTO t VALUES (1)"), queries(primary.sent()));
        assertEquals(List.of(WritePositions.QUERY), queries(primary.sentInternally()), "pipelined behind the write");
        primary.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("C", session.takeToClientTypes(), "ReadyForQuery held for the position");
        primary.serverRead(value("0/3000060"));
        List<Recorded> toClient = session.toClient();
        assertEquals("SZ", session.toClientTypes());
        assertEquals("pgrouter.commit_lsn\0" + "0/3000060\0", toClient.get(0).body());
        session.finish();
    }

    @Test
    void aReadGoesToTheReplicaOnlyOnceItHasReplayedTheWrite() {
        start(ConsistencyMode.SESSION);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        session.takeToClientTypes();
        primary.takeSentTypes();

        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of(ReplayWait.POSITION_QUERY), queries(replica.sentInternally()), "asked: no position known");
        assertEquals("", replica.sentTypes());
        replica.serverRead(value("0/3000000"));
        assertEquals(List.of("SELECT 2"), queries(primary.sent()), "behind the write: the primary answers");
        assertEquals(Lsn.parse("0/3000000"), positions.replayed(FakeSession.REPLICA), "what it learned is shared");
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        primary.takeSentTypes();

        positions.observed(FakeSession.REPLICA, Lsn.parse("0/3000060")); // the probe saw it replay the write
        session.clientRead(session.query("SELECT 3"));
        assertEquals(List.of("SELECT 3"), queries(replica.sent()), "no need to ask");
        assertEquals("", primary.sentTypes());
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aReplicaThatSaidItWasBehindIsNotAskedAgainAtOnce() {
        start(ConsistencyMode.SESSION, Duration.ofHours(1));
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        primary.takeSentTypes();
        session.clientRead(session.query("SELECT 2"));
        replica.serverRead(value("0/3000000"));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.clientRead(session.query("SELECT 3"));
        assertEquals(List.of(ReplayWait.POSITION_QUERY), queries(replica.sentInternally()), "asked once only");
        assertEquals(List.of("SELECT 2", "SELECT 3"), queries(primary.sent()), "the primary, without a round trip first");
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));

        positions.observed(FakeSession.REPLICA, Lsn.parse("0/3000060")); // the probe saw it replay the write
        session.clientRead(session.query("SELECT 4"));
        assertEquals(List.of("SELECT 4"), queries(replica.sent()), "known to have replayed: back on the replica");
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aReplicaBehindIsAskedAgainOnceTheIntervalPassed() {
        start(ConsistencyMode.SESSION, Duration.ZERO);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        session.clientRead(session.query("SELECT 2"));
        replica.serverRead(value("0/3000000"));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.clientRead(session.query("SELECT 3"));
        assertEquals(List.of(ReplayWait.POSITION_QUERY, ReplayWait.POSITION_QUERY), queries(replica.sentInternally()));
        replica.serverRead(value("0/3000060"));
        assertEquals(List.of("SELECT 3"), queries(replica.sent()));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aReplicaThatCaughtUpWhenAskedServesTheRead() {
        start(ConsistencyMode.SESSION);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        session.clientRead(session.query("SELECT 2"));
        session.clientRead(session.query("SELECT 3")); // waits for the answer to the check
        replica.serverRead(value("0/3000100"));
        assertEquals(List.of("SELECT 2"), queries(replica.sent()));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of("SELECT 2", "SELECT 3"), queries(replica.sent()), "known now: not asked again");
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aReplicaLostWhileAskedLeavesTheReadToThePrimary() {
        start(ConsistencyMode.SESSION);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        primary.takeSentTypes();
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of(ReplayWait.POSITION_QUERY), queries(replica.sentInternally()));
        replica.lost(null);
        assertEquals(List.of("SELECT 2"), queries(primary.sent()));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertTrue(session.toClientTypes().endsWith("CZ"), session.toClientTypes());
        session.finish();
    }

    @Test
    void aReplicaStillBehindIsAskedAgainUntilConsistencyWaitIsSpent() throws Exception {
        start(ConsistencyMode.SESSION);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        session.clientRead(session.query("SET pgrouter.consistency_wait = '1m'"));
        session.clientRead(session.query("SELECT 2"));
        replica.serverRead(value("0/3000000"));
        assertEquals(List.of(ReplayWait.POSITION_QUERY, ReplayWait.POSITION_QUERY_AFTER_PAUSE),
                queries(replica.sentInternally()), "asked again, after a pause on the replica");
        replica.serverRead(value("0/3000060"));
        assertEquals(List.of("SELECT 2"), queries(replica.sent()));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aGroupUsingTheUnnamedStatementOnTheReplicaWaitsThereForTheWrite() {
        start(ConsistencyMode.SESSION);
        session.clientRead(FrontendMessages.parse(session.alloc(), "", "SELECT $1"),
                FrontendMessages.bind(session.alloc(), "", "", "7"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        FakeBackend replica = session.grant();
        replica.serverRead(session.message(MessageType.Backend.PARSE_COMPLETE), session.message(MessageType.Backend.BIND_COMPLETE),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        replica.takeSentTypes();
        write("0/3000060");
        session.clientRead(FrontendMessages.bind(session.alloc(), "", "", "8"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals(List.of(ReplayWait.POSITION_QUERY), queries(replica.sentInternally()), "only it has the statement");
        assertEquals("", replica.sentTypes());
        replica.serverRead(value("0/3000060"));
        assertEquals("BES", replica.sentTypes());
        replica.serverRead(session.message(MessageType.Backend.BIND_COMPLETE), session.commandComplete("SELECT 1"),
                session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void eventualReadsIgnoreTheSessionsWrites() {
        start(ConsistencyMode.EVENTUAL);
        FakeBackend replica = replicaAfterOneRead();
        write("0/3000060");
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of("SELECT 2"), queries(replica.sent()));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void strongSendsEveryReadOfAWritingSessionToThePrimary() {
        start(ConsistencyMode.STRONG);
        replicaAfterOneRead();
        write("0/3000060");
        positions.observed(FakeSession.REPLICA, Lsn.parse("1/0"));
        primary.takeSentTypes();
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of("SELECT 2"), queries(primary.sent()));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aCommitOfATransactionThatWroteLearnsItsPosition() {
        start(ConsistencyMode.SESSION);
        session.clientRead(session.query("BEGIN"));
        primary.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        primary.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        assertEquals(List.of(), primary.sentInternally(), "nothing slipped into the client's transaction");
        session.clientRead(session.query("COMMIT"));
        assertEquals(List.of(WritePositions.QUERY), queries(primary.sentInternally()));
        primary.serverRead(session.commandComplete("COMMIT"), session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(value("0/4000000"));
        assertTrue(session.toClientTypes().endsWith("CSZ"), session.toClientTypes());
        session.finish();
    }

    @Test
    void aWriteWhoseEndWasNotForeseenLearnsItsPositionAfterItsReadyForQuery() {
        start(ConsistencyMode.SESSION);
        FakeBackend replica = replicaAfterOneRead();
        // Pipelined by the client: the second write is sent while the first is in flight, when
        // pgrouter cannot tell whether it will run in a transaction.
        session.clientRead(session.query("INSERT INTO t VALUES (1)"), session.query("INSERT INTO t VALUES (2)"));
        assertEquals(List.of(WritePositions.QUERY), queries(primary.sentInternally()), "behind the first only");
        primary.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(value("0/5000000"));
        primary.serverRead(session.commandComplete("INSERT 0 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(WritePositions.QUERY, WritePositions.QUERY), queries(primary.sentInternally()),
                "asked after the second's ReadyForQuery");
        assertTrue(session.toClientTypes().endsWith("CSZCZ"), session.toClientTypes());
        session.clientRead(session.query("SELECT 2"));
        assertEquals(List.of("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "SELECT 2"), queries(primary.sent()),
                "the position is not known yet: the primary answers");
        primary.serverRead(value("0/5000100"));
        assertTrue(session.toClientTypes().endsWith("CZS"), "the token follows: " + session.toClientTypes());
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        primary.takeSentTypes();
        session.clientRead(session.query("SELECT 3"));
        replica.serverRead(value("0/5000100"));
        assertEquals(List.of("SELECT 3"), queries(replica.sent()));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void aNamedWriteParsedEarlierIsFollowedByAPositionQueryOnlyWhenItsEffectIsKnown() {
        start(ConsistencyMode.SESSION);
        session.clientRead(FrontendMessages.parse(session.alloc(), "s1", "UPDATE t SET v = 1"),
                FrontendMessages.sync(session.alloc()));
        primary.serverRead(session.message(MessageType.Backend.PARSE_COMPLETE), session.readyForQuery(BackendMessages.IDLE));
        session.clientRead(FrontendMessages.bind(session.alloc(), "", "s1"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals(List.of(WritePositions.QUERY), queries(primary.sentInternally()), "an autocommit write");
        primary.serverRead(session.message(MessageType.Backend.BIND_COMPLETE), session.commandComplete("UPDATE 1"),
                session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(value("0/6000000"));
        assertTrue(session.toClientTypes().endsWith("2CSZ"), session.toClientTypes());
        session.finish();
    }

    @Test
    void aCausalTokenFromAnotherSessionHoldsReadsUntilAReplicaReplayedIt() {
        start(ConsistencyMode.EVENTUAL);
        FakeBackend replica = replicaAfterOneRead();
        session.clientRead(session.query("SET pgrouter.min_lsn = '0/7000000'"));
        assertEquals("CZ", session.takeToClientTypes());
        assertEquals("", primary.sentTypes(), "pgrouter's own setting: PostgreSQL never sees it");
        session.clientRead(session.query("SELECT 2"));
        replica.serverRead(value("0/6FFFFFF"));
        assertEquals(List.of("SELECT 2"), queries(primary.sent()));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        session.finish();
    }

    @Test
    void showAndSetAnswerLikePostgreSQL() {
        start(ConsistencyMode.SESSION);
        session.clientRead(session.query("SHOW pgrouter.consistency"));
        assertEquals("TDCZ", session.toClientTypes());
        assertTrue(session.toClient().get(1).body().endsWith("\0\1\0\0\0\7session"), session.toClient().get(1).toString());
        session.takeToClientTypes();
        session.clientRead(session.query("set PGROUTER.consistency to 'strong';"));
        session.clientRead(session.query("/* app */ SHOW pgrouter.consistency"));
        assertTrue(session.toClient().get(3).body().endsWith("strong"), session.toClient().get(3).toString());
        session.takeToClientTypes();
        session.clientRead(session.query("SET pgrouter.consistency = sometimes"));
        assertEquals("EZ", session.toClientTypes());
        assertTrue(session.toClient().get(0).body().contains("22023"), session.toClient().get(0).toString());
        session.takeToClientTypes();
        session.clientRead(session.query("SET pgrouter.nonsense = 1"));
        assertTrue(session.toClient().get(0).body().contains("42704"), session.toClient().get(0).toString());
        assertEquals("", primary.sentTypes());
        session.finish();
    }

    @Test
    void anExtendedProtocolSetIsAnsweredByPgrouterNamedStatementsIncluded() {
        start(ConsistencyMode.SESSION);
        session.clientRead(FrontendMessages.parse(session.alloc(), "", "SET pgrouter.consistency = eventual"),
                FrontendMessages.bind(session.alloc(), "", ""), session.message(MessageType.Frontend.DESCRIBE, "P\0"),
                session.message(EXECUTE, "\0\0\0\0\0"), FrontendMessages.sync(session.alloc()));
        assertEquals("12nCZ", session.takeToClientTypes());
        session.clientRead(FrontendMessages.parse(session.alloc(), "S_1", "SHOW pgrouter.consistency"),
                FrontendMessages.bind(session.alloc(), "", "S_1"), session.message(MessageType.Frontend.DESCRIBE, "P\0"),
                session.message(EXECUTE, "\0\0\0\0\0"), FrontendMessages.sync(session.alloc()));
        assertEquals("12TDCZ", session.toClientTypes());
        assertTrue(session.toClient().get(3).body().endsWith("eventual"));
        session.takeToClientTypes();
        session.clientRead(FrontendMessages.bind(session.alloc(), "", "S_1"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals("2DCZ", session.takeToClientTypes(), "the named statement lives in pgrouter");
        assertEquals("", primary.sentTypes());
        session.finish();
    }

    @Test
    void ownAnswersWaitForThePrimarysAnswersToWhatCameBefore() {
        start(ConsistencyMode.SESSION);
        session.clientRead(session.query("SELECT pg_backend_pid()"), session.query("SHOW pgrouter.consistency"),
                session.query("UPDATE t SET v = 2"));
        assertEquals("", session.toClientTypes());
        assertEquals(List.of("SELECT pg_backend_pid()"), queries(primary.sent()), "the UPDATE waits behind the SHOW");
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals("CZTDCZ", session.takeToClientTypes());
        assertEquals(List.of("SELECT pg_backend_pid()", "UPDATE t SET v = 2"), queries(primary.sent()));
        primary.serverRead(session.commandComplete("UPDATE 1"), session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(value("0/1"));
        session.finish();
    }

    @Test
    void aStartupOptionSetsTheMode() {
        session.startupParameters(Map.of("user", "app", "database", "app", "options", "-c pgrouter.consistency=strong"));
        start(ConsistencyMode.SESSION);
        session.clientRead(session.query("SHOW pgrouter.consistency"));
        assertTrue(session.toClient().get(1).body().endsWith("strong"));
        session.finish();
    }

    @Test
    void aBadStartupOptionEndsTheSessionWithAClearError() {
        session.startupParameters(Map.of("user", "app", "database", "app", "options", "--pgrouter.consistency=maybe"));
        session.start(s -> new ReadsplitSession(s, new StatementClassifier(), new ReplicaLoad(),
                ConsistencyConfig.defaults(positions)));
        assertEquals("22023", session.failure());
        session.finish();
    }
}
