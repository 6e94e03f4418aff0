package io.pgrouter.pipeline.session;

import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import java.util.Set;

/** {@code pipeline session}: each client session is relayed, whole, to the primary. */
public final class SessionPipelineFactory implements PipelineFactory {
    public static final String NAME = "session";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pipeline create(PluginConfig config, PipelineContext context) {
        config.allowOnly(Set.of()); // nothing to configure yet
        return PrimaryRelay::new;
    }
}
