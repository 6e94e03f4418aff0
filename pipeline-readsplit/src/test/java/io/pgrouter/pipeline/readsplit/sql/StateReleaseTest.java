package io.pgrouter.pipeline.readsplit.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The statements that drop session state a failover cannot move, found by the lexer. */
class StateReleaseTest {
    private static Set<SessionPin> released(String sql) {
        return StateRelease.released(sql, true);
    }

    @Test
    void eachReleasingStatementReleasesItsKind() {
        assertEquals(EnumSet.allOf(SessionPin.class), released("DISCARD ALL"));
        assertEquals(Set.of(SessionPin.TEMPORARY_OBJECT), released("discard temp"));
        assertEquals(Set.of(SessionPin.TEMPORARY_OBJECT), released("DISCARD TEMPORARY;"));
        assertEquals(Set.of(SessionPin.LISTEN), released("UNLISTEN *"));
        assertEquals(Set.of(SessionPin.ADVISORY_LOCK), released("select pg_advisory_unlock_all()"));
        assertEquals(Set.of(SessionPin.CURSOR_WITH_HOLD), released("CLOSE ALL"));
        assertEquals(Set.of(SessionPin.SET_CONFIG), released("RESET ALL"));
    }

    @Test
    void lookalikesReleaseNothing() {
        assertEquals(Set.of(), released("UNLISTEN jobs"), "one channel: others may still be listened to");
        assertEquals(Set.of(), released("DISCARD PLANS"));
        assertEquals(Set.of(), released("select 'discard all', pg_advisory_unlock(1)"));
        assertEquals(Set.of(), released("-- DISCARD ALL\nselect 1"));
        assertEquals(Set.of(), released("CLOSE my_cursor"));
    }

    @Test
    void everyStatementOfAMultiStatementTextCounts() {
        assertEquals(Set.of(SessionPin.LISTEN, SessionPin.ADVISORY_LOCK),
                released("UNLISTEN *; SELECT pg_advisory_unlock_all()"));
    }
}
