package io.pgrouter.pipeline.readsplit.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.pipeline.readsplit.consistency.SettingCommand.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which statements are pgrouter's own settings, as PostgreSQL would read them. */
class SettingCommandTest {
    private static SettingCommand parsed(String sql) {
        return SettingCommand.parse(sql).orElseThrow(() -> new AssertionError("not recognised: " + sql));
    }

    @Test
    void setInEverySpelling() {
        assertEquals(new SettingCommand(Kind.SET, "consistency", "strong", false), parsed("SET pgrouter.consistency = strong"));
        assertEquals(new SettingCommand(Kind.SET, "consistency", "strong", false), parsed("set PGROUTER.Consistency to 'strong';"));
        assertEquals(new SettingCommand(Kind.SET, "min_lsn", "0/3000060", false),
                parsed("  /* app */ -- why\n SET SESSION pgrouter.min_lsn='0/3000060' ; "));
        assertEquals(new SettingCommand(Kind.SET, "max_lag", "it's", false), parsed("set pgrouter.max_lag = 'it''s'"));
        assertTrue(parsed("SET LOCAL pgrouter.consistency = eventual").local());
        assertEquals(new SettingCommand(Kind.RESET, "consistency", null, false), parsed("set pgrouter.consistency to default"));
    }

    @Test
    void resetAndShow() {
        assertEquals(new SettingCommand(Kind.RESET, "min_lsn", null, false), parsed("RESET pgrouter.min_lsn"));
        assertEquals(new SettingCommand(Kind.SHOW, "consistency", null, false), parsed("show pgrouter.consistency;"));
        assertEquals("pgrouter.consistency", parsed("show pgrouter.consistency").fullName());
        assertEquals("SHOW", parsed("show pgrouter.consistency").tag());
    }

    @Test
    void anythingElseIsPostgreSQLs() {
        for (String sql : new String[] {"SET search_path = x", "select 'set pgrouter.consistency = strong'",
                "SET pgrouter.consistency = strong; SELECT 1", "SET pgrouter.consistency", "SHOW pgrouterx.consistency",
                "SET pgrouter.consistency = strong strong", "SHOW ALL", "RESET ALL", "select pgrouter.x from pgrouter"}) {
            assertEquals(Optional.empty(), SettingCommand.parse(sql), sql);
        }
    }
}
