package io.pgrouter.spi.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How current the HA manager's topology is, when pgrouter follows one.
 *
 * @param source the topology source's name ({@code patroni})
 * @param freshness whether the last fetch succeeded, failed within the grace, or failed for longer
 * @param lastSeen when a fetch last succeeded ({@link Instant#EPOCH} if never)
 * @param grace how long a topology stays trusted after fetches start failing
 * @param error why the last fetch failed, empty when it succeeded
 */
public record TopologyStatus(String source, Freshness freshness, Instant lastSeen, Duration grace,
        Optional<String> error) {
    public TopologyStatus {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(error, "error");
    }

    /** Whether the topology can be trusted. */
    public enum Freshness {
        /** The last fetch succeeded. */
        CURRENT,
        /** Fetches fail, but the last topology is younger than the grace: still trusted. */
        STALE,
        /** Fetches have failed for longer than the grace (or never succeeded): no primary. */
        LOST;

        /** The word the monitor prints. */
        public String monitorName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean isLost() {
        return freshness == Freshness.LOST;
    }
}
