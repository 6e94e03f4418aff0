package io.pgrouter.pipeline.readsplit;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyConfig;
import io.pgrouter.pipeline.readsplit.consistency.ConsistencyMode;
import io.pgrouter.pipeline.readsplit.consistency.ReadConsistency;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.config.Values;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
        config.allowOnly(Set.of("write_functions", "node_local", "consistency", "consistency_wait"));
        ConsistencyConfig consistency = consistency(config, context);
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
        return session -> new ReadsplitSession(session, classifier, load, consistency);
    }

    /** {@code consistency eventual|session|strong} (default session) and {@code consistency_wait} (0-1m, default 0). */
    private static ConsistencyConfig consistency(PluginConfig config, PipelineContext context) {
        ConsistencyMode mode = ConsistencyMode.SESSION;
        Optional<Setting> modeSetting = config.setting("consistency");
        if (modeSetting.isPresent()) {
            String word = modeSetting.get().value();
            mode = ConsistencyMode.of(word).orElseThrow(() -> new ConfigException(modeSetting.get().location(),
                    "consistency must be eventual, session or strong, found '" + word + "'"));
        }
        Duration wait = Duration.ZERO;
        Optional<Setting> waitSetting = config.setting("consistency_wait");
        if (waitSetting.isPresent()) {
            try {
                wait = Values.duration(waitSetting.get().value());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(waitSetting.get().location(), "consistency_wait: " + e.getMessage());
            }
            if (wait.compareTo(ReadConsistency.MAX_WAIT) > 0) {
                throw new ConfigException(waitSetting.get().location(),
                        "consistency_wait must be between 0 and 1m, found " + waitSetting.get().value());
            }
        }
        return new ConsistencyConfig(mode, wait, context.positions(), new AtomicLong());
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
