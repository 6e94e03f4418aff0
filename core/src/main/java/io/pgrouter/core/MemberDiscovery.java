package io.pgrouter.core;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code backends NAME}: remembers the members the topology source listed last and, when a
 * fetched topology adds or removes one, has them applied the way a reload applies a changed
 * {@code backend} list. The watcher hands it each topology on its own thread; the reload runs on
 * a thread of this class, since it replaces that watcher.
 *
 * <p>A topology that lists no member with an address is not applied: like a reload, discovery
 * never takes every backend away (an HA manager answering with an empty list during its own
 * trouble would otherwise stop all traffic); the last members stay.
 */
final class MemberDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemberDiscovery.class);

    private final Runnable apply;
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pgrouter-discovery");
        t.setDaemon(true);
        return t;
    });
    private volatile List<Endpoint> members = List.of();

    /** @param apply re-applies the configuration with {@link #members()}; serialised with reloads */
    MemberDiscovery(Runnable apply) {
        this.apply = Objects.requireNonNull(apply, "apply");
    }

    /** The members last listed, in the source's order. */
    List<Endpoint> members() {
        return members;
    }

    /**
     * Takes a topology's members as the backends' addresses.
     *
     * @return whether they differ from the last ones (as a set: the order alone changes nothing)
     */
    synchronized boolean take(Topology topology) {
        List<Endpoint> listed = topology.members().stream().map(TopologyMember::address).distinct().toList();
        if (listed.isEmpty() || Set.copyOf(listed).equals(Set.copyOf(members))) {
            return false;
        }
        List<Endpoint> before = members;
        log.info("the topology lists {} member(s): added {}, removed {}; applying them as the backends",
                listed.size(), listed.stream().filter(e -> !before.contains(e)).toList(),
                before.stream().filter(e -> !listed.contains(e)).toList());
        members = listed;
        return true;
    }

    /** A topology a watcher round fetched: a changed member list is applied, soon, on another thread. */
    void fetched(Topology topology) {
        if (!take(topology)) {
            return;
        }
        try {
            applier.execute(apply);
        } catch (RejectedExecutionException e) {
            // closed: pgrouter is stopping
        }
    }

    @Override
    public void close() {
        applier.shutdownNow();
    }
}
