/**
 * A third-party pipeline, built as a separate modular jar and dropped into a plugins directory
 * by the end-to-end tests. Not shipped.
 */
module io.pgrouter.test.plugin {
    requires io.pgrouter.spi;

    provides io.pgrouter.spi.pipeline.PipelineFactory with io.pgrouter.test.plugin.NoticePipelineFactory;
}
