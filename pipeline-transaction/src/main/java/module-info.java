/**
 * The transaction pipeline: server connections pooled per event loop and lent to a client for
 * one transaction at a time (PgBouncer's transaction mode), all to the primary.
 */
module io.pgrouter.pipeline.transaction {
    requires io.pgrouter.spi;
    requires org.slf4j;

    provides io.pgrouter.spi.pipeline.PipelineFactory
            with io.pgrouter.pipeline.transaction.TransactionPipelineFactory;
}
