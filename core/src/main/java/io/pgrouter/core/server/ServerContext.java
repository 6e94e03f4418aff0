package io.pgrouter.core.server;

import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.pipeline.Pipeline;
import java.util.function.Supplier;

/**
 * What every client connection shares: the pipeline, the cluster, counters, the connector, the
 * idle backend pools, the security settings in force (read once per connection: a reload swaps them for new ones),
 * and the registry of open sessions (pause, shutdown).
 */
record ServerContext(ServerSettings settings, Pipeline pipeline, ClusterView cluster, ConnectionStats stats,
        BackendConnector connector, CancelKeys cancelKeys, Supplier<Security> security, ServerPools pools, Sessions sessions) {
}
