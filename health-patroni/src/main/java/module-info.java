/**
 * Follows Patroni for the cluster's topology: {@code health { topology patroni }} with a
 * {@code patroni { }} block. Reads members, roles, states and tags from Patroni's REST API
 * ({@code GET /cluster}) and, optionally, the leader key straight from etcd v3 (JSON gateway),
 * watching it so that a leader change triggers a watcher round at once.
 */
module io.pgrouter.health.patroni {
    requires io.pgrouter.spi;
    requires java.net.http;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    provides io.pgrouter.spi.health.TopologySourceFactory with io.pgrouter.health.patroni.PatroniTopologySourceFactory;
}
