package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.DATA_ROW;
import static io.pgrouter.spi.protocol.MessageType.Backend.ROW_DESCRIPTION;
import static io.pgrouter.spi.protocol.MessageType.Frontend.EXECUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What readsplit reports to core's per-backend counts: each client request once, by kind. */
class RoutedCountsTest {
    private static final String PRIMARY = FakeSession.PRIMARY.toString();
    private static final String REPLICA = FakeSession.REPLICA.toString();

    private final FakeSession session = new FakeSession();
    private FakeBackend primary;

    private void start() {
        session.start(s -> new ReadsplitSession(s, new StatementClassifier()));
        primary = session.grant();
    }

    private FakeBackend readOnReplica(String sql) {
        session.clientRead(session.query(sql));
        return session.grant();
    }

    @Test
    void aReadOnAReplicaCountsOnceItsAnswerComes() {
        start();
        FakeBackend replica = readOnReplica("SELECT 1");
        assertEquals(List.of(), session.takeRouted(), "a replica may still refuse it");
        replica.serverRead(session.message(ROW_DESCRIPTION, "\0\0"), session.message(DATA_ROW, "\0\0"),
                session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(REPLICA + " read"), session.takeRouted());
        session.finish();
    }

    @Test
    void writesAndTheirExtendedGroupsCountOncePerRequestOnThePrimary() {
        start();
        session.clientRead(session.query("INSERT INTO t VALUES (1)"));
        session.clientRead(FrontendMessages.parse(session.alloc(), "", "UPDATE t SET a = $1"),
                FrontendMessages.bind(session.alloc(), "", "", "7"), session.message(EXECUTE, "\0\0\0\0\0"),
                FrontendMessages.sync(session.alloc()));
        assertEquals(List.of(PRIMARY + " write", PRIMARY + " write"), session.takeRouted());
        session.finish();
    }

    @Test
    void aReadAReplicaRefusesCountsOnlyAsRetriedOnThePrimary() {
        start();
        FakeBackend replica = readOnReplica("SELECT bump()");
        replica.serverRead(BackendMessages.errorResponse(session.alloc(), "ERROR", SqlState.READ_ONLY_SQL_TRANSACTION,
                "cannot execute INSERT in a read-only transaction"), session.readyForQuery(BackendMessages.IDLE));
        primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(PRIMARY + " retried"), session.takeRouted());
        session.finish();
    }

    @Test
    void aReadWithoutAnEligibleReplicaCountsAsAReadOnThePrimary() {
        session.cluster(FakeSession.snapshot(1, FakeSession.PRIMARY));
        start();
        session.clientRead(session.query("SELECT 1"));
        assertEquals(List.of(), session.requests(), "no replica to log into");
        assertEquals(List.of(PRIMARY + " read"), session.takeRouted());
        session.finish();
    }

    @Test
    void aReadWhoseReplicaLoginFailsCountsAsAReadOnThePrimary() {
        start();
        session.clientRead(session.query("SELECT 1"));
        session.refuse("28P01", "password authentication failed");
        assertEquals(List.of(PRIMARY + " read"), session.takeRouted());
        session.finish();
    }

    @Test
    void statementsOfATransactionOnTheReplicaCountAsReadsThere() {
        start();
        FakeBackend replica = readOnReplica("BEGIN READ ONLY");
        replica.serverRead(session.commandComplete("BEGIN"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.clientRead(session.query("SELECT 1"));
        replica.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IN_TRANSACTION));
        session.clientRead(session.query("COMMIT"));
        replica.serverRead(session.commandComplete("COMMIT"), session.readyForQuery(BackendMessages.IDLE));
        assertEquals(List.of(REPLICA + " read", REPLICA + " read", REPLICA + " read"), session.takeRouted());
        assertEquals("", primary.sentTypes());
        session.finish();
    }
}
