package io.pgrouter.pipeline.readsplit;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code pipeline readsplit}: reads go to a caught-up replica, writes and transactions to the
 * primary, and a statement a replica refuses is re-run on the primary. Its block:
 * {@code readsplit { write_functions "audit.log_access, touch" }} names functions that write,
 * beyond the built-in list, so that SELECTs calling them go to the primary.
 */
public final class ReadsplitPipelineFactory implements PipelineFactory {
    public static final String NAME = "readsplit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pipeline create(PluginConfig config, PipelineContext context) {
        config.allowOnly(Set.of("write_functions", "node_local"));
        List<String> functions = names(config, "write_functions");
        List<String> nodeLocal = names(config, "node_local");
        StatementClassifier classifier;
        try {
            classifier = new StatementClassifier(functions, nodeLocal);
        } catch (IllegalArgumentException e) {
            // Point at the list that holds the bad name: write_functions if it alone is refused.
            String culprit = refuses(functions) ? "write_functions" : "node_local";
            throw new ConfigException(config.setting(culprit).orElseThrow().location(), e.getMessage());
        }
        ReplicaLoad load = new ReplicaLoad(); // one per pipeline: all sessions balance on it
        return session -> new ReadsplitSession(session, classifier, load);
    }

    private static boolean refuses(List<String> writeFunctions) {
        try {
            new StatementClassifier(writeFunctions);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** A comma-separated list of names, or none. */
    private static List<String> names(PluginConfig config, String key) {
        return config.string(key)
                .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(f -> !f.isEmpty()).toList())
                .orElse(List.of());
    }
}
