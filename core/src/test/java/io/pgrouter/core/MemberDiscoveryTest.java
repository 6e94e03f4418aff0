package io.pgrouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemberDiscoveryTest {
    private static final Endpoint N1 = new Endpoint("10.0.0.1", 5432);
    private static final Endpoint N2 = new Endpoint("10.0.0.2", 5432);

    private static Topology members(Endpoint... addresses) {
        return new Topology(Arrays.stream(addresses).map(a -> new TopologyMember("m" + a.host(), a, false, "replica",
                "running", OptionalLong.empty(), OptionalLong.empty(), false)).toList());
    }

    @Test
    void aChangedMemberSetIsTakenAndTheSameSetInAnotherOrderIsNot() {
        try (MemberDiscovery d = new MemberDiscovery(() -> { })) {
            assertTrue(d.take(members(N1, N2)));
            assertEquals(List.of(N1, N2), d.members());
            assertFalse(d.take(members(N2, N1)), "the order alone changes nothing");
            assertEquals(List.of(N1, N2), d.members());
            assertTrue(d.take(members(N2)), "a member removed");
            assertEquals(List.of(N2), d.members());
        }
    }

    @Test
    void anEmptyListNeverTakesEveryBackendAway() {
        try (MemberDiscovery d = new MemberDiscovery(() -> { })) {
            d.take(members(N1));
            assertFalse(d.take(members()));
            assertEquals(List.of(N1), d.members());
        }
    }
}
