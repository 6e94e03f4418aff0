package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.HaMember;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Lays an HA manager's topology over one round's probe results, for {@link ClusterDecider}. The
 * HA manager wins for the role: its leader is the only node that can be primary, every other OK
 * backend is a replica, and where the probe said otherwise the disagreement is recorded (a node
 * being promoted still answers as a replica for a moment; an old primary Patroni has demoted may
 * still answer as one). Members the topology lists as not running or tagged {@code noloadbalance},
 * and backends it does not list, serve no reads ({@link HaMember#servesReads()}).
 *
 * <p>With the topology lost (past its grace), each backend keeps the HA view it had, roles
 * follow that last view, and there is no primary: pgrouter never elects one itself.
 */
final class TopologyOverlay {
    private static final String LEADER = "leader";
    private static final String STANDBY_LEADER = "standby_leader";

    private TopologyOverlay() {
    }

    /** The backends with the HA manager's roles and views. */
    static List<BackendState> apply(List<BackendState> observed, TopologyVerdict verdict) {
        Map<Endpoint, TopologyMember> members = verdict.topology().map(TopologyOverlay::byAddress).orElse(Map.of());
        List<BackendState> result = new ArrayList<>(observed.size());
        for (BackendState b : observed) {
            Optional<HaMember> view = verdict.topology().isPresent()
                    ? Optional.of(Optional.ofNullable(members.get(b.address()))
                            .map(TopologyOverlay::view)
                            .orElseGet(HaMember::unlisted))
                    : b.ha().map(h -> new HaMember(h.name(), h.role(), h.state(), h.noLoadBalance(), Optional.empty()));
            if (!b.isOk()) {
                result.add(b.withHa(view));
                continue;
            }
            Role role = view.filter(TopologyOverlay::isLeader).isPresent() ? Role.PRIMARY : Role.REPLICA;
            Optional<String> disagreement = role == b.role() ? Optional.empty()
                    : Optional.of("the health check saw " + name(b.role()) + ", " + verdict.status().source()
                            + " says " + view.map(HaMember::role).orElse("nothing"));
            Optional<HaMember> withDisagreement = view.map(h -> new HaMember(h.name(), h.role(), h.state(),
                    h.noLoadBalance(), disagreement));
            result.add(new BackendState(b.address(), b.tls(), b.weight(), b.lagThreshold(), b.maxReplayDelay(), role,
                    b.status(), b.lagBytes(), role == Role.REPLICA ? b.replayDelay() : Optional.empty(),
                    b.walPosition(), b.following(), b.checkedAt(), b.error(), withDisagreement));
        }
        return result;
    }

    /**
     * The OK backend the trusted topology names leader; none once the topology is lost, and none
     * in a standby cluster (its {@code standby_leader} replicates from elsewhere and takes no writes).
     */
    static Optional<Endpoint> primary(List<BackendState> overlaid, TopologyVerdict verdict) {
        Optional<Endpoint> leader = verdict.topology().flatMap(Topology::leader)
                .filter(m -> !m.role().equals(STANDBY_LEADER)).map(TopologyMember::address);
        return leader.flatMap(address -> overlaid.stream().filter(b -> b.address().equals(address) && b.isOk())
                .findFirst()).map(BackendState::address);
    }

    /** The leader key is the only source of "primary": a stale role word never makes one. */
    private static HaMember view(TopologyMember m) {
        String role = m.leader() ? (m.role().equals(STANDBY_LEADER) ? STANDBY_LEADER : LEADER)
                : (m.role().equals(LEADER) || m.role().equals(STANDBY_LEADER) ? "replica" : m.role());
        return new HaMember(m.name(), role, m.state(), m.noLoadBalance(), Optional.empty());
    }

    private static boolean isLeader(HaMember h) {
        return h.role().equals(LEADER);
    }

    private static Map<Endpoint, TopologyMember> byAddress(Topology t) {
        return t.members().stream().collect(Collectors.toMap(TopologyMember::address, Function.identity(), (a, b) -> a));
    }

    private static String name(Role role) {
        return role == Role.PRIMARY ? "a primary" : "a replica";
    }
}
