package io.pgrouter.spi.monitor;

import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import java.util.List;
import java.util.Optional;

/** What core offers a monitor. Thread-safe. */
public interface MonitorContext {
    ClusterView cluster();

    RouterStats stats();

    /** How far each replica has replayed, as pgrouter last learned it (0 when unknown). */
    default io.pgrouter.spi.cluster.ReplayPositions positions() {
        return io.pgrouter.spi.cluster.ReplayPositions.NONE;
    }

    /** Every server connection pool that has connections or waiting clients, in no particular order. */
    default List<PoolStats> pools() {
        return List.of();
    }

    /** The address of the {@code monitor} directive, when set. */
    Optional<Endpoint> monitorAddress();
}
