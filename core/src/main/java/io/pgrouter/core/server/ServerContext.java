package io.pgrouter.core.server;

import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.pipeline.Pipeline;

/** What every client connection shares: the pipeline, the cluster, counters, the connector. */
record ServerContext(ServerSettings settings, Pipeline pipeline, ClusterView cluster, ConnectionStats stats, BackendConnector connector,
        CancelKeys cancelKeys, BackendCredentials credentials) {
}
