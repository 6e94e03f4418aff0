package io.pgrouter.pipeline.readsplit.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a read must see, from a session's writes and settings. */
class ReadConsistencyTest {
    private final ReadConsistency session = new ReadConsistency(ConsistencyMode.SESSION, Duration.ZERO);

    @Test
    void sessionModeWaitsForTheLastWritesPosition() {
        assertEquals(0, session.required(0), "nothing written: any replica");
        session.wrote();
        assertEquals(ReadConsistency.PRIMARY_ONLY, session.required(0), "the position is not known yet");
        session.learned(1_000);
        assertEquals(1_000, session.required(0));
        session.wrote();
        session.notLearned();
        assertEquals(ReadConsistency.PRIMARY_ONLY, session.required(0), "unknown: the primary until the next is learned");
        session.wrote();
        session.learned(900);
        assertEquals(1_000, session.required(0), "positions never go back");
    }

    @Test
    void eventualAndStrong() throws Exception {
        session.set("consistency", "eventual");
        session.wrote();
        session.learned(1_000);
        assertEquals(0, session.required(0));
        session.set("consistency", "STRONG");
        assertEquals(ReadConsistency.PRIMARY_ONLY, session.required(0));
        session.reset("consistency");
        assertEquals(ConsistencyMode.SESSION, session.mode());
    }

    @Test
    void theTokenAndTheLagBoundApplyInEveryMode() throws Exception {
        session.set("consistency", "eventual");
        session.set("min_lsn", "0/3000060");
        assertEquals(0x3000060L, session.required(0));
        session.set("max_lag", "1kb");
        assertEquals(0x3000060L, session.required(0x3000100L), "the token asks more");
        assertEquals(0x4000000L - 1024, session.required(0x4000000L));
        assertEquals("1024", session.show("max_lag"));
        assertEquals("0/3000060", session.show("min_lsn"));
        session.reset("max_lag");
        session.set("min_lsn", "0/0");
        assertEquals(0, session.required(0x4000000L));
    }

    @Test
    void badValuesAndNamesAreRefusedAsPostgreSQLWould() {
        assertEquals("22023", assertThrows(SettingException.class, () -> session.set("consistency", "sometimes")).sqlState());
        assertEquals("22023", assertThrows(SettingException.class, () -> session.set("min_lsn", "3000060")).sqlState());
        assertEquals("22023", assertThrows(SettingException.class, () -> session.set("max_lag", "lots")).sqlState());
        assertEquals("22023", assertThrows(SettingException.class, () -> session.set("consistency_wait", "2h")).sqlState());
        assertEquals("42704", assertThrows(SettingException.class, () -> session.show("nonsense")).sqlState());
    }

    @Test
    void startupParametersAndOptions() throws Exception {
        session.startup(Map.of("options", "-c geqo=off -c pgrouter.consistency=strong --pgrouter.consistency_wait=20ms",
                "pgrouter.min_lsn", "0/10"));
        assertEquals(ConsistencyMode.STRONG, session.mode());
        assertEquals(Duration.ofMillis(20), session.maxWait());
        assertEquals("0/10", session.show("min_lsn"));
        assertEquals("42704", assertThrows(SettingException.class,
                () -> session.startup(Map.of("options", "-cpgrouter.bogus=1"))).sqlState());
    }
}
