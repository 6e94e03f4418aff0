package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private long now = 5 * SECOND;
    private final RateLimitedLog lines = new RateLimitedLog(SECOND, () -> now);

    @Test
    void theFirstEventGetsALineTheRestOfTheSecondNone() {
        assertEquals(1, lines.occurred(), "a line for the first, standing for itself");
        now += SECOND / 2;
        assertEquals(0, lines.occurred());
        assertEquals(0, lines.occurred());
        now += SECOND / 2 - 1;
        assertEquals(0, lines.occurred(), "still within the second");
    }

    @Test
    void theNextLineCountsTheEventsThatGotNone() {
        lines.occurred();
        for (int i = 0; i < 41; i++) {
            now += SECOND / 100;
            assertEquals(0, lines.occurred());
        }
        now += SECOND;
        assertEquals(42, lines.occurred(), "41 without a line, and this one");
        assertEquals("; 41 more refused since the last such line", RateLimitedLog.more(42, "refused"));
        assertEquals("", RateLimitedLog.more(1, "refused"), "nothing to add for a single event");
    }

    @Test
    void aQuietSpellMeansTheNextEventGetsALineAtOnce() {
        lines.occurred();
        now += 60 * SECOND;
        assertEquals(1, lines.occurred());
        now += SECOND;
        assertEquals(1, lines.occurred(), "one a second gets every one logged");
    }
}
