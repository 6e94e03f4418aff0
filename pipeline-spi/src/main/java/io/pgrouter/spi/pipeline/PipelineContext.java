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

    /**
     * The counter of the pipeline's events called {@code name} (lower case letters, digits and
     * underscores, such as {@code sessions_moved}), shown by the monitors as
     * {@code pgrouter_pipeline_events_total{event="NAME"}} from 0. The same name gives the same
     * counter; ask once, when the pipeline is created. Without monitors (this default) the counter
     * counts, and nobody shows it.
     *
     * @throws IllegalArgumentException for a name of other characters
     */
    default EventCounter counter(String name) {
        return new EventCounter();
    }
}
