package io.pgrouter.health.patroni;

import io.pgrouter.spi.health.Topology;
import io.pgrouter.spi.health.TopologyMember;
import io.pgrouter.spi.health.TopologySource;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Patroni's view of the cluster: members from its REST API and, when etcd is configured, the
 * leader from the leader key itself (Patroni's {@code /cluster} is read from the same key, but
 * reading it directly lets every pgrouter see a change at once and keeps working while the
 * Patroni member asked is busy). Either being unreachable fails the fetch: the watcher then keeps
 * the last topology for the grace, and no longer after.
 */
final class PatroniTopologySource implements TopologySource {
    /** Connection attempts give up after this; each request has the watcher's timeout anyway. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final PatroniSettings settings;
    private final PatroniRest rest;
    private final Optional<EtcdLeaderKey> etcd;
    /** One read of the leader key at a time (the watcher never fetches twice at once). */
    private final ExecutorService etcdReads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pgrouter-etcd-read");
        t.setDaemon(true);
        return t;
    });

    PatroniTopologySource(PatroniSettings settings) {
        this.settings = settings;
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.rest = new PatroniRest(new Endpoints("Patroni REST API", settings.rest(), http));
        this.etcd = settings.leaderKey().map(key -> new EtcdLeaderKey(new Endpoints("etcd", settings.etcd(), http), http, key));
    }

    /** Patroni and etcd are asked at once, each within the whole timeout. */
    @Override
    public Topology fetch(Duration timeout) throws IOException, InterruptedException {
        if (etcd.isEmpty()) {
            return new Topology(rest.cluster(timeout));
        }
        CompletableFuture<Optional<String>> leader = CompletableFuture.supplyAsync(() -> {
            try {
                return etcd.get().read(timeout);
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, etcdReads);
        List<TopologyMember> members = rest.cluster(timeout);
        try {
            return withLeader(members, leader.get());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("etcd: " + cause, cause);
        }
    }

    /** The leader key decides: its holder is the leader, whatever role {@code /cluster} gave. */
    static Topology withLeader(List<TopologyMember> members, Optional<String> leader) {
        List<TopologyMember> result = new ArrayList<>(members.size());
        for (TopologyMember m : members) {
            boolean holds = leader.filter(m.name()::equals).isPresent();
            String role = holds ? (m.role().equals("standby_leader") ? "standby_leader" : "leader") : "replica";
            result.add(holds == m.leader() ? m : new TopologyMember(m.name(), m.address(), holds, role, m.state(),
                    m.timeline(), m.lagBytes(), m.noLoadBalance()));
        }
        return new Topology(result);
    }

    @Override
    public Duration grace() {
        return settings.grace();
    }

    @Override
    public void watch(Runnable listener) {
        etcd.ifPresent(e -> e.watch(listener));
    }

    @Override
    public void close() {
        etcd.ifPresent(EtcdLeaderKey::close);
        etcdReads.shutdownNow();
    }
}
