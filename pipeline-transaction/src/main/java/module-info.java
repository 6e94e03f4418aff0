/**
 * The transaction pooling pipeline. Not written yet: the module exists so the reactor has its
 * final shape; it provides nothing until then.
 */
module io.pgrouter.pipeline.transaction {
    requires io.pgrouter.spi;
}
