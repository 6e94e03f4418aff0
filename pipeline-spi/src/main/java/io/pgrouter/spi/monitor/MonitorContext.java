package io.pgrouter.spi.monitor;

import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.List;
import java.util.Optional;

/** What core offers a monitor. Thread-safe. */
public interface MonitorContext {
    ClusterView cluster();

    RouterStats stats();

    /** Every server connection pool that has connections or waiting clients, in no particular order. */
    default List<PoolStats> pools() {
        return List.of();
    }

    /** The address of the {@code monitor} directive, when set. */
    Optional<Endpoint> monitorAddress();
}
