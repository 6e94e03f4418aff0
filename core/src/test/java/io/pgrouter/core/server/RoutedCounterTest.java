package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Routed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-backend counts of requests routed by kind, as connections update them and monitors read them. */
class RoutedCounterTest {
    private static final Endpoint PRIMARY = Endpoint.parse("10.0.0.1:5432");
    private static final Endpoint REPLICA = Endpoint.parse("10.0.0.2:5432");

    private final ConnectionStats stats = new ConnectionStats(2);

    @Test
    void connectionsToOneBackendShareItsCountersAndEveryKindShowsOnceUsed() {
        assertEquals(Map.of(), stats.routed(), "no backend used yet");
        RoutedCounter first = new RoutedCounter(stats.routedCounters(REPLICA));
        RoutedCounter second = new RoutedCounter(stats.routedCounters(REPLICA));
        assertSame(stats.routedCounters(REPLICA), stats.routedCounters(REPLICA));
        first.count(Routed.READ);
        second.count(Routed.READ);
        second.count(Routed.RETRIED);
        assertEquals(Map.of(REPLICA, Map.of(Routed.READ, 2L, Routed.WRITE, 0L, Routed.RETRIED, 1L)), stats.routed());
    }

    @Test
    void countAllCountsWhatCoreSeesSentUntilTheConnectionChangesHands() {
        RoutedCounter c = new RoutedCounter(stats.routedCounters(PRIMARY));
        c.sent(3);
        assertEquals(0L, stats.routed().get(PRIMARY).get(Routed.WRITE), "the pipeline did not ask for it");
        c.countAll(Routed.WRITE);
        c.sent(3);
        c.sent(1);
        c.reset();
        c.sent(5);
        assertEquals(4L, stats.routed().get(PRIMARY).get(Routed.WRITE));
    }

    @Test
    void backendsComeInAddressOrder() {
        stats.routedCounters(REPLICA);
        stats.routedCounters(PRIMARY);
        assertEquals(List.of(PRIMARY, REPLICA), List.copyOf(stats.routed().keySet()));
    }
}
