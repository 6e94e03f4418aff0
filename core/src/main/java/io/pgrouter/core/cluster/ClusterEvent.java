package io.pgrouter.core.cluster;

import java.util.Objects;
import org.slf4j.event.Level;

/**
 * A change worth one log line (a backend failing, a promotion, a split brain beginning), found by
 * {@link ClusterDecider} when it compares a round with the previous snapshot. Steady states
 * produce no events, so the log shows changes, not rounds.
 *
 * @param level how loudly to log it
 * @param message the line to log
 */
public record ClusterEvent(Level level, String message) {
    public ClusterEvent {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
    }
}
