package io.pgrouter.pipeline.readsplit;

import io.pgrouter.spi.cluster.Endpoint;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many sessions each replica serves now, over every worker: what {@link ReplicaChoice}
 * balances on. A session counts on a replica from its login there until it leaves it. Shared by
 * all sessions of the pipeline; thread-safe (one counter per replica, no lock).
 */
final class ReplicaLoad {
    private final ConcurrentMap<Endpoint, AtomicInteger> sessions = new ConcurrentHashMap<>();

    void joined(Endpoint replica) {
        sessions.computeIfAbsent(replica, r -> new AtomicInteger()).incrementAndGet();
    }

    void left(Endpoint replica) {
        AtomicInteger n = sessions.get(replica);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    /** Sessions on the replica now. */
    int sessions(Endpoint replica) {
        AtomicInteger n = sessions.get(replica);
        return n == null ? 0 : n.get();
    }
}
