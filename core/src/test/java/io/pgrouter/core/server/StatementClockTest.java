package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatementClockTest {
    private final StatementLatencies latencies = new StatementLatencies("readsplit");
    private final StatementClock clock = new StatementClock(latencies);
    private final java.util.List<ByteBuf> buffers = new java.util.ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    @Test
    void eachRequestIsTimedToTheReadyForQueryThatAnswersIt() {
        clock.toClient(messages('R', 'S', 'K', 'Z')); // the greeting's ReadyForQuery answers no request
        assertEquals(0, latencies.snapshot().count());
        clock.fromClient(messages('Q'));
        clock.toClient(messages('T', 'D', 'C'));
        assertEquals(0, latencies.snapshot().count(), "not answered before its ReadyForQuery");
        clock.toClient(messages('Z'));
        assertEquals(1, latencies.snapshot().count());
        assertEquals("readsplit", latencies.snapshot().pipeline());
    }

    @Test
    void pipelinedGroupsAreEachTimedAndNothingElseIs() {
        clock.fromClient(messages('P', 'B', 'E', 'S', 'P', 'B', 'E', 'S', 'F'));
        clock.toClient(messages('1', '2', 'D', 'C', 'Z', '2', 'C', 'Z'));
        assertEquals(2, latencies.snapshot().count());
        clock.toClient(messages('V', 'Z', 'Z'));
        assertEquals(3, latencies.snapshot().count(), "the FunctionCall's; a ReadyForQuery beyond the requests is not timed");
    }

    @Test
    void aDurationFallsInTheFirstBucketThatHoldsIt() {
        latencies.record(400_000); // 0.4 ms
        latencies.record(3_000_000); // 3 ms
        latencies.record(60_000_000_000L); // a minute
        long[] counts = latencies.snapshot().counts();
        assertEquals(1, counts[0]);
        assertEquals(1, counts[3], "(2.5 ms, 5 ms]");
        assertEquals(1, counts[counts.length - 1], "+Inf");
        assertEquals(60.0034, latencies.snapshot().sumSeconds(), 1e-9);
    }

    /** Messages of these types, each with an empty body. */
    private ByteBuf messages(char... types) {
        ByteBuf b = Unpooled.buffer();
        for (char t : types) {
            b.writeByte(t).writeInt(4);
        }
        buffers.add(b);
        return b;
    }
}
