package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgrouter.core.protocol.BufferBudget;
import io.pgrouter.spi.pipeline.EventCounter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineEventsTest {
    @Test
    void countersByNameShowFromZeroAndOneNameIsOneCounter() {
        PipelineEvents events = new PipelineEvents();
        ConnectionStats stats = new ConnectionStats(1, new Sessions(), BufferBudget.UNLIMITED, "readsplit", events);
        EventCounter moved = events.counter("sessions_moved");
        events.counter("sessions_ended_by_failover");
        assertEquals(Map.of("sessions_moved", 0L, "sessions_ended_by_failover", 0L), stats.pipelineEvents());

        moved.increment();
        events.counter("sessions_moved").add(2);
        assertEquals(3L, stats.pipelineEvents().get("sessions_moved"));
    }

    @Test
    void aNameThatIsNoPrometheusLabelValueOfOursIsRefused() {
        PipelineEvents events = new PipelineEvents();
        assertThrows(IllegalArgumentException.class, () -> events.counter("Sessions Moved"));
        assertThrows(IllegalArgumentException.class, () -> events.counter(""));
    }
}
