package io.pgrouter.health.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Reading Patroni's and etcd's answers, as Patroni 3.0 and etcd 3.4 write them. */
class PatroniRestTest {
    /** {@code GET /cluster} of Patroni 3.0.2, right after a bootstrap. */
    private static final String CLUSTER = """
            {"members": [{"name": "n1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:33323/patroni",
            "host": "127.0.0.1", "port": 34411, "timeline": 1}, {"name": "n2", "role": "replica", "state": "running",
            "api_url": "http://127.0.0.1:32825/patroni", "host": "127.0.0.1", "port": 34351, "timeline": 1, "lag": 0},
            {"name": "n3", "role": "replica", "state": "running", "api_url": "http://127.0.0.1:34053/patroni",
            "host": "127.0.0.1", "port": 38009, "timeline": 1, "tags": {"noloadbalance": true, "nofailover": true},
            "lag": "unknown"}, {"name": "n4", "role": "replica", "state": "starting"}]}""";

    @Test
    void membersCarryRoleStateAddressTimelineLagAndTags() throws IOException {
        List<TopologyMember> members = PatroniRest.members(CLUSTER);
        assertEquals(3, members.size(), "a member without a PostgreSQL address is skipped");
        TopologyMember n1 = members.get(0);
        assertEquals(new Endpoint("127.0.0.1", 34411), n1.address());
        assertTrue(n1.leader());
        assertEquals("running", n1.state());
        assertEquals(OptionalLong.of(1), n1.timeline());
        TopologyMember n2 = members.get(1);
        assertFalse(n2.leader());
        assertEquals(OptionalLong.of(0), n2.lagBytes());
        assertFalse(n2.noLoadBalance());
        TopologyMember n3 = members.get(2);
        assertTrue(n3.noLoadBalance());
        assertEquals(OptionalLong.empty(), n3.lagBytes(), "Patroni writes 'unknown' when it does not know");
    }

    @Test
    void tagsWrittenAsWordsCount() throws IOException {
        List<TopologyMember> members = PatroniRest.members("""
                {"members": [{"name": "a", "role": "replica", "state": "streaming", "host": "db1", "port": 5432,
                "tags": {"noloadbalance": "true"}}, {"name": "b", "role": "sync_standby", "state": "streaming",
                "host": "db2", "port": 5432, "tags": {"noloadbalance": false}}]}""");
        assertTrue(members.get(0).noLoadBalance());
        assertFalse(members.get(1).noLoadBalance());
        assertEquals("sync_standby", members.get(1).role());
    }

    @Test
    void anAnswerThatIsNotPatronisIsAnErrorThatSaysWhy() {
        IOException e = assertThrows(IOException.class, () -> PatroniRest.members("[1, 2]"));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
        assertThrows(IOException.class, () -> PatroniRest.members("{\"members\": [1]}"));
        assertThrows(IOException.class, () -> PatroniRest.members("{\"members\": "));
    }

    @Test
    void theLeaderKeyIsReadFromEtcdsRangeAnswer() throws IOException {
        // etcd 3.4's JSON gateway: base64 key and value, 64-bit integers as strings.
        String answer = """
                {"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"42",
                "raft_term":"2"},"kvs":[{"key":"L3NlcnZpY2UvcGdydGVzdC9sZWFkZXI=","create_revision":"40",
                "mod_revision":"40","version":"1","value":"bjI=","lease":"7587873932069862404"}],"count":"1"}""";
        assertEquals(Optional.of("n2"), EtcdLeaderKey.leaderOf(answer));
        assertEquals(Optional.empty(), EtcdLeaderKey.leaderOf("{\"header\":{\"revision\":\"42\"}}"));
    }

    @Test
    void theLeaderKeyWinsOverTheRoleInClusterAnswer() throws IOException {
        // /cluster was read a moment before the key moved from n1 to n2.
        Topology t = PatroniTopologySource.withLeader(PatroniRest.members(CLUSTER), Optional.of("n2"));
        assertEquals("n2", t.leader().orElseThrow().name());
        assertEquals("replica", t.members().get(0).role());
        assertEquals(Optional.empty(), PatroniTopologySource.withLeader(PatroniRest.members(CLUSTER), Optional.empty()).leader());
    }
}
