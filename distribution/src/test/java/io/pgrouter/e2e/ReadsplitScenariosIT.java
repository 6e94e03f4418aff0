package io.pgrouter.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared {@link PipelineScenarios} through {@code pipeline readsplit}. */
class ReadsplitScenariosIT extends PipelineScenarios {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @Override
    RouterFixture fixture() {
        return fixture;
    }
}
