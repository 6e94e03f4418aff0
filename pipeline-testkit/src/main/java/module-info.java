/**
 * A test double for pipelines: {@link io.pgrouter.spi.testkit.FakeSession} and
 * {@link io.pgrouter.spi.testkit.FakeBackend} stand in for core, so that a pipeline's state
 * machine is unit-tested message by message without PostgreSQL. Test scope only.
 */
module io.pgrouter.spi.testkit {
    requires transitive io.pgrouter.spi;

    exports io.pgrouter.spi.testkit;
}
