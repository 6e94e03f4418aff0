package io.pgrouter.spi.pipeline;

import io.pgrouter.spi.config.PluginConfig;

/**
 * Provides a pipeline: how a client session's messages are routed to backends and back
 * (pgagroal's pipeline). Register it with {@code provides io.pgrouter.spi.pipeline.PipelineFactory
 * with ...} in the plugin's {@code module-info.java}; {@code pipeline NAME} in pgrouter.conf
 * selects it.
 *
 * <p>Called by core on the main thread, once at startup; global, not per session.
 */
public interface PipelineFactory {
    /** The name {@code pipeline NAME} selects; lower case, unique among the loaded pipelines. */
    String name();

    /**
     * As pgagroal's {@code initialize} hook: builds the pipeline from its configuration block (the
     * top-level block named after the pipeline, empty when absent). Validates the block and
     * throws {@link io.pgrouter.spi.config.ConfigException} on bad input; {@code pgrouter -t}
     * calls this too, so it must not open connections or start threads.
     */
    Pipeline create(PluginConfig config, PipelineContext context);
}
