package io.pgrouter.monitor.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.HaMember;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.Status;
import io.pgrouter.spi.cluster.TopologyStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The extra lines of a pgrouter that follows an HA manager (Patroni). */
class MonitorTextTopologyTest {
    private static BackendState member(String address, Role role, HaMember ha) {
        return Snapshots.backend(address, role, Status.OK, 0, 800, Optional.empty(), Optional.empty())
                .withHa(Optional.of(ha));
    }

    @Test
    void showsTheTopologyEachMemberTheReplicasItHoldsAndDisagreements() {
        BackendState leader = member("10.0.0.1:5432", Role.PRIMARY, new HaMember("n1", "leader", "running", false,
                Optional.of("the health check saw a replica, patroni says leader")));
        BackendState held = member("10.0.0.2:5432", Role.REPLICA, new HaMember("n2", "replica", "running", true, Optional.empty()));
        BackendState unlisted = member("10.0.0.3:5432", Role.REPLICA, HaMember.unlisted());
        TopologyStatus lost = new TopologyStatus("patroni", TopologyStatus.Freshness.LOST, Instant.EPOCH,
                Duration.ofSeconds(10), Optional.of("etcd unreachable:\nrefused"));
        ClusterSnapshot s = new ClusterSnapshot(List.of(leader, held, unlisted), Optional.empty(), false, 7, Instant.EPOCH,
                Optional.of(lost));
        String out = MonitorText.render(s, Snapshots.stats(2, 0, 0));
        assertTrue(out.startsWith("backends 3/3\n"), out);
        for (String line : List.of("primary none", "topology patroni lost never 10000",
                "topology-error etcd unreachable: refused", "member 10.0.0.1:5432 n1 leader running",
                "member 10.0.0.2:5432 n2 replica running noloadbalance", "member 10.0.0.3:5432 - none unlisted",
                "no-reads 10.0.0.2:5432 noloadbalance", "no-reads 10.0.0.3:5432 unlisted",
                "disagree 10.0.0.1:5432 the health check saw a replica, patroni says leader")) {
            assertTrue(out.contains("\n" + line + "\n"), () -> line + " missing from\n" + out);
        }
        assertEquals(2, out.lines().filter(l -> l.startsWith("no-reads ")).count(), out);
    }

    @Test
    void withoutAnHaManagerNothingChanges() {
        String out = MonitorText.render(Snapshots.seedExample(), Snapshots.stats(64, 32, 28));
        assertTrue(out.lines().noneMatch(l -> l.startsWith("topology") || l.startsWith("member ")
                || l.startsWith("no-reads ") || l.startsWith("disagree ")), out);
    }
}
