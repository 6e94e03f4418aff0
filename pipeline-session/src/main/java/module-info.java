/** The session pipeline: every client session relayed, whole, to the primary. */
module io.pgrouter.pipeline.session {
    requires io.pgrouter.spi;
    requires org.slf4j;

    provides io.pgrouter.spi.pipeline.PipelineFactory with io.pgrouter.pipeline.session.SessionPipelineFactory;
}
