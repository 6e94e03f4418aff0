package io.pgrouter.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared {@link PipelineScenarios} through {@code pipeline session}. */
class SessionScenariosIT extends PipelineScenarios {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "session", "");

    @Override
    RouterFixture fixture() {
        return fixture;
    }
}
