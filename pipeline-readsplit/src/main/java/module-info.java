/**
 * The readsplit pipeline: replica-first routing with primary retry (issue 5). Not written yet:
 * the module exists so the reactor has its final shape; it provides nothing until then.
 */
module io.pgrouter.pipeline.readsplit {
    requires io.pgrouter.spi;
}
