package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.HaMember;
import io.pgrouter.spi.cluster.TopologyStatus;
import io.pgrouter.spi.cluster.TopologyStatus.Freshness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.event.Level;

/**
 * The changes worth a log line when pgrouter follows an HA manager: its topology becoming
 * unreachable, lost past its grace, or back; a member's state or noloadbalance tag changing; the
 * health check starting or ending to disagree with it about a role. Steady states log nothing.
 */
final class TopologyEvents {
    private TopologyEvents() {
    }

    static List<ClusterEvent> of(ClusterSnapshot before, ClusterSnapshot after) {
        List<ClusterEvent> events = new ArrayList<>();
        after.topology().ifPresent(now -> freshness(before.topology(), now, after, events));
        for (BackendState b : after.backends()) {
            Optional<HaMember> was = before.backend(b.address()).flatMap(BackendState::ha);
            b.ha().ifPresent(now -> member(b, was, now, events));
        }
        return events;
    }

    private static void freshness(Optional<TopologyStatus> was, TopologyStatus now, ClusterSnapshot after,
            List<ClusterEvent> events) {
        Freshness before = was.map(TopologyStatus::freshness).orElse(null);
        if (before == now.freshness()) {
            return;
        }
        String error = now.error().map(e -> ": " + e).orElse("");
        switch (now.freshness()) {
            case CURRENT -> {
                if (before != null) {
                    events.add(new ClusterEvent(Level.INFO, now.source() + " topology reachable again"));
                }
            }
            case STALE -> events.add(new ClusterEvent(Level.WARN, now.source() + " topology unreachable" + error
                    + "; keeping the last one for up to " + millis(now.grace()) + ", then writes stop"));
            case LOST -> events.add(new ClusterEvent(Level.ERROR, "pgrouter: " + after.noPrimaryReason()
                    + ": writes are refused until it answers again; reads go to replicas it last allowed"));
        }
    }

    private static void member(BackendState b, Optional<HaMember> was, HaMember now, List<ClusterEvent> events) {
        if (was.isEmpty() || !was.get().state().equals(now.state()) || was.get().noLoadBalance() != now.noLoadBalance()
                || !was.get().role().equals(now.role())) {
            Level level = now.servesReads() || now.role().equals("leader") ? Level.INFO : Level.WARN;
            events.add(new ClusterEvent(level, "backend " + b.address() + " is " + describe(now)
                    + was.map(w -> " (was " + describe(w) + ")").orElse("")));
        }
        Optional<String> disagreedBefore = was.flatMap(HaMember::disagreement);
        if (now.disagreement().isPresent() && !now.disagreement().equals(disagreedBefore)) {
            events.add(new ClusterEvent(Level.WARN, "backend " + b.address() + ": " + now.disagreement().get()
                    + "; the HA manager wins"));
        } else if (disagreedBefore.isPresent() && now.disagreement().isEmpty()) {
            events.add(new ClusterEvent(Level.INFO, "backend " + b.address()
                    + ": the health check agrees with the HA manager again"));
        }
    }

    private static String describe(HaMember m) {
        return "member " + m.name() + " " + m.role() + " " + m.state() + (m.noLoadBalance() ? " noloadbalance" : "");
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }
}
