package io.pgrouter.spi.cluster;

/**
 * Read access to the latest {@link ClusterSnapshot}. Cheap (a volatile read) and safe from any
 * thread; call it whenever a decision needs fresh state rather than caching a snapshot.
 */
@FunctionalInterface
public interface ClusterView {
    ClusterSnapshot current();
}
