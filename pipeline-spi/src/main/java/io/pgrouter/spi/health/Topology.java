package io.pgrouter.spi.health;

import java.util.List;
import java.util.Optional;

/**
 * The whole cluster in one answer of an HA manager: its members, at most one of them the leader.
 *
 * @param members every member the HA manager lists
 */
public record Topology(List<TopologyMember> members) {
    public Topology {
        members = List.copyOf(members);
        if (members.stream().filter(TopologyMember::leader).count() > 1) {
            throw new IllegalArgumentException("a topology has at most one leader");
        }
    }

    /** The member holding the leader key, if any does. */
    public Optional<TopologyMember> leader() {
        return members.stream().filter(TopologyMember::leader).findFirst();
    }
}
