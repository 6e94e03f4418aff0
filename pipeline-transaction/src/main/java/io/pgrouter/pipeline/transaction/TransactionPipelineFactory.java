package io.pgrouter.pipeline.transaction;

import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import java.util.Set;

/**
 * {@code pipeline transaction}: a client holds a primary connection only while a transaction (or
 * a single statement outside one) runs; between transactions the connection goes back to a pool
 * its event loop's other clients draw from. Needs pgrouter's own authentication ({@code hba} or
 * {@code authdb}), since pgrouter logs into the pooled connections itself.
 */
public final class TransactionPipelineFactory implements PipelineFactory {
    public static final String NAME = "transaction";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pipeline create(PluginConfig config, PipelineContext context) {
        config.allowOnly(Set.of()); // nothing to configure yet
        return TransactionSession::new;
    }
}
