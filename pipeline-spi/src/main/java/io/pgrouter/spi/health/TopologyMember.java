package io.pgrouter.spi.health;

import io.pgrouter.spi.cluster.Endpoint;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One member of the cluster as an HA manager (Patroni) describes it.
 *
 * @param name the member's name in the HA manager
 * @param address where its PostgreSQL listens, as the HA manager advertises it
 * @param leader true for the one member holding the leader key: the only source of "primary"
 * @param role the HA manager's word for its role ({@code leader}, {@code replica},
 *     {@code sync_standby}, ...), for display
 * @param state the HA manager's word for its state ({@code running}, {@code streaming},
 *     {@code stopped}, {@code starting}, ...)
 * @param timeline its timeline, when reported
 * @param lagBytes its replication lag as the HA manager last saw it, when reported
 * @param noLoadBalance tagged to serve no reads ({@code noloadbalance} in Patroni)
 */
public record TopologyMember(String name, Endpoint address, boolean leader, String role, String state,
        OptionalLong timeline, OptionalLong lagBytes, boolean noLoadBalance) {
    public TopologyMember {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(lagBytes, "lagBytes");
    }
}
