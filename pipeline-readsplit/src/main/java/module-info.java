/**
 * The readsplit pipeline: reads to caught-up replicas, writes and transactions to the primary,
 * with a transparent retry on the primary when a replica refuses a statement.
 */
module io.pgrouter.pipeline.readsplit {
    requires io.pgrouter.spi;
    requires org.slf4j;

    provides io.pgrouter.spi.pipeline.PipelineFactory with io.pgrouter.pipeline.readsplit.ReadsplitPipelineFactory;
}
