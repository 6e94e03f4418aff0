package io.pgrouter.spi.pipeline;

import io.pgrouter.spi.cluster.ClusterView;

/** What core offers a pipeline globally. Thread-safe. */
public interface PipelineContext {
    /** The latest cluster state, published by the watcher. */
    ClusterView cluster();

    /** How far each replica has replayed, as the position probe and the pipeline's own checks found. */
    default io.pgrouter.spi.cluster.ReplayPositions positions() {
        return io.pgrouter.spi.cluster.ReplayPositions.NONE;
    }
}
