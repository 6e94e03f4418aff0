package io.pgrouter.spi.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * What the HA manager (Patroni) says of a backend, when pgrouter follows one.
 *
 * @param name its member name, {@code -} when the HA manager does not list it
 * @param role the HA manager's word for its role ({@code leader}, {@code replica}, ...)
 * @param state the HA manager's word for its state ({@code running}, {@code streaming}, ...;
 *     {@code unlisted} when it does not list the backend)
 * @param noLoadBalance tagged to serve no reads
 * @param disagreement how the health check's own probe disagrees with the HA manager about its
 *     role (the HA manager wins), empty when they agree
 */
public record HaMember(String name, String role, String state, boolean noLoadBalance, Optional<String> disagreement) {
    /** The state of a backend the HA manager does not list. */
    public static final String UNLISTED = "unlisted";

    public HaMember {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(disagreement, "disagreement");
    }

    /** A configured backend the HA manager does not list: not part of its cluster, no reads. */
    public static HaMember unlisted() {
        return new HaMember("-", "none", UNLISTED, false, Optional.empty());
    }

    /** The HA manager lets it serve reads: it runs or streams, and is not tagged noloadbalance. */
    public boolean servesReads() {
        return !noLoadBalance && (state.equals("running") || state.equals("streaming"));
    }

    /** Why it serves no reads, for the monitor; empty when it may. */
    public Optional<String> noReadsReason() {
        if (noLoadBalance) {
            return Optional.of("noloadbalance");
        }
        return servesReads() ? Optional.empty() : Optional.of(state);
    }
}
