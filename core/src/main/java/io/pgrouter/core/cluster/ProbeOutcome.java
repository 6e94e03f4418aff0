package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.health.Probe;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What one backend's probe gave in one watcher round: an answer, or the reason there was none
 * (error, timeout, previous probe still hung).
 *
 * @param address the backend probed
 * @param probe the answer, empty when the probe failed
 * @param error why it failed, empty when it answered
 * @param finishedAt when the answer came, or when the round gave up on it
 */
public record ProbeOutcome(Endpoint address, Optional<Probe> probe, Optional<String> error, Instant finishedAt) {
    public ProbeOutcome {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (probe.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("an outcome is either an answer or an error");
        }
    }

    public static ProbeOutcome answered(Endpoint address, Probe probe, Instant at) {
        return new ProbeOutcome(address, Optional.of(probe), Optional.empty(), at);
    }

    public static ProbeOutcome failed(Endpoint address, String error, Instant at) {
        return new ProbeOutcome(address, Optional.empty(), Optional.of(error), at);
    }

    public boolean isAnswer() {
        return probe.isPresent();
    }
}
