package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pgrouter.spi.cluster.Endpoint;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool key caches its hash: equal content must still mean equal keys, whatever the map. */
class ServerPoolKeyTest {
    private static final Endpoint PRIMARY = new Endpoint("10.0.0.1", 5432);

    @Test
    void keysOfTwoSessionsWithTheSameStartupFindTheSameIdleConnections() {
        Map<String, String> first = new LinkedHashMap<>();
        first.put("user", "alice");
        first.put("database", "shop");
        Map<String, String> second = Map.of("database", "shop", "user", "alice"); // other order, other class
        ServerPool.Key a = new ServerPool.Key(PRIMARY, Map.copyOf(first));
        ServerPool.Key b = new ServerPool.Key(new Endpoint("10.0.0.1", 5432), second);

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        Map<ServerPool.Key, String> idle = new HashMap<>();
        idle.put(a, "connection");
        assertSame("connection", idle.get(b));
    }

    @Test
    void anotherUserDatabaseOrAddressIsAnotherPool() {
        ServerPool.Key alice = new ServerPool.Key(PRIMARY, Map.of("user", "alice", "database", "shop"));
        assertNotEquals(alice, new ServerPool.Key(PRIMARY, Map.of("user", "bob", "database", "shop")));
        assertNotEquals(alice, new ServerPool.Key(PRIMARY, Map.of("user", "alice", "database", "crm")));
        assertNotEquals(alice, new ServerPool.Key(new Endpoint("10.0.0.2", 5432), Map.of("user", "alice", "database", "shop")));
        assertNotEquals(alice, new ServerPool.Key(PRIMARY, Map.of("user", "alice", "database", "shop", "options", "-c x=1")));
        Map<ServerPool.Key, String> idle = new HashMap<>();
        idle.put(alice, "connection");
        assertNull(idle.get(new ServerPool.Key(PRIMARY, Map.of("user", "alice"))));
    }
}
