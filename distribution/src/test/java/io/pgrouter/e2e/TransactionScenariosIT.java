package io.pgrouter.e2e;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared {@link PipelineScenarios} through {@code pipeline transaction}. */
class TransactionScenariosIT extends PipelineScenarios {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "transaction", "").pooled();

    @Override
    RouterFixture fixture() {
        return fixture;
    }
}
