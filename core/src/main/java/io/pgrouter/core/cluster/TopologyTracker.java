package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.cluster.TopologyStatus.Freshness;
import io.pgrouter.spi.health.Topology;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers the last topology a source gave and for how long it may still be trusted: a fetch
 * that fails keeps the last topology while it is younger than the grace (a DCS blip must not stop
 * writes), and loses it after that (a router cut off from the DCS must not keep writing to a
 * leader the HA manager may already have demoted). Used by the watcher thread only.
 */
final class TopologyTracker {
    private final String source;
    private final Duration grace;
    private Optional<Topology> last = Optional.empty();
    private Instant lastSeen = Instant.EPOCH;

    TopologyTracker(String source, Duration grace) {
        this.source = Objects.requireNonNull(source, "source");
        this.grace = Objects.requireNonNull(grace, "grace");
    }

    /**
     * Continues from the last topology {@code previous} had, when it follows the same source: a
     * reload must not make pgrouter forget it (a fetch failing right after would lose the primary
     * at once instead of after the grace).
     */
    void carryOver(TopologyTracker previous) {
        if (previous.source.equals(source) && previous.last.isPresent()) {
            last = previous.last;
            lastSeen = previous.lastSeen;
        }
    }

    TopologyVerdict succeeded(Topology topology, Instant now) {
        last = Optional.of(topology);
        lastSeen = now;
        return new TopologyVerdict(last, new TopologyStatus(source, Freshness.CURRENT, now, grace, Optional.empty()));
    }

    TopologyVerdict failed(String error, Instant now) {
        Optional<String> why = Optional.of(error);
        if (last.isPresent() && Duration.between(lastSeen, now).compareTo(grace) <= 0) {
            return new TopologyVerdict(last, new TopologyStatus(source, Freshness.STALE, lastSeen, grace, why));
        }
        return new TopologyVerdict(Optional.empty(), new TopologyStatus(source, Freshness.LOST, lastSeen, grace, why));
    }
}
