package io.pgrouter.pipeline.readsplit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.testkit.FakeBackend;
import io.pgrouter.spi.testkit.FakeSession;
import io.pgrouter.spi.testkit.Recorded;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a readsplit client sends before its primary connection is up: held by core, then sent in order. */
class ReadsplitBeforePrimaryTest {
    @Test
    void coreHoldsTheClientUntilThePrimaryIsUpThenItAllGoesInOrder() {
        FakeSession session = new FakeSession();
        session.start(s -> new ReadsplitSession(s, new StatementClassifier()));
        session.clientRead(session.query("INSERT INTO t VALUES (1)"), session.query("INSERT INTO t VALUES (2)"));
        session.clientRead(session.query("INSERT INTO t VALUES (3)"));
        assertTrue(session.holdsClient(), "core holds them: the pipeline keeps no queue");

        FakeBackend primary = session.grant();
        assertFalse(session.holdsClient());
        assertEquals(List.of("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"),
                primary.sent().stream().map(Recorded::buf).map(FrontendMessages::queryText).toList());
        session.finish();
    }

    @Test
    void whatIsHeldWhenTheClientLeavesIsReleased() {
        FakeSession session = new FakeSession();
        session.start(s -> new ReadsplitSession(s, new StatementClassifier()));
        session.clientRead(session.query("SELECT 1"));
        session.finish(); // fails when a held buffer was not released
    }
}
