package io.pgrouter.spi.pipeline;

import io.pgrouter.spi.cluster.ClusterView;

/** What core offers a pipeline globally. Thread-safe. */
public interface PipelineContext {
    /** The latest cluster state, published by the watcher. */
    ClusterView cluster();
}
