package io.pgrouter.pipeline.readsplit;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * beyond the built-in list, so that SELECTs calling them go to the primary; {@code failover_wait} bounds how long a
 * session that lost its primary waits for a new one (see {@link Failover}).
 */
public final class ReadsplitPipelineFactory implements PipelineFactory {
    public static final String NAME = "readsplit";
    private static final Logger log = LoggerFactory.getLogger(ReadsplitPipelineFactory.class);
    private static final Duration MAX_FAILOVER_WAIT = Duration.ofMinutes(10);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pipeline create(PluginConfig config, PipelineContext context) {
        config.allowOnly(Set.of("write_functions", "node_local", "consistency", "consistency_wait", "failover_wait"));
        Duration failoverWait = failoverWait(config);
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
        FailoverCounts failovers = new FailoverCounts(context);
        return new Pipeline() {
            private long movedLogged;
            private long endedLogged;

            @Override
            public SessionPipeline start(Session session) {
                return new ReadsplitSession(session, classifier, load, consistency, failoverWait,
                        Failover.Timer.of(session), failovers);
            }

            @Override
            public void periodic() {
                long moved = failovers.movedCount();
                long ended = failovers.endedCount();
                if (moved != movedLogged || ended != endedLogged) {
                    log.info("readsplit: {} session(s) moved to a new primary, {} ended by a lost primary, since start",
                            moved, ended);
                    movedLogged = moved;
                    endedLogged = ended;
                }
            }
        };
    }

    /** {@code failover_wait} (0-10m, default 30s): how long a session that lost its primary waits for a new one. */
    private static Duration failoverWait(PluginConfig config) {
        Optional<Setting> setting = config.setting("failover_wait");
        if (setting.isEmpty()) {
            return Failover.DEFAULT_WAIT;
        }
        Duration wait;
        try {
            wait = Values.duration(setting.get().value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.get().location(), "failover_wait: " + e.getMessage());
        }
        if (wait.compareTo(MAX_FAILOVER_WAIT) > 0) {
            throw new ConfigException(setting.get().location(),
                    "failover_wait must be between 0 and 10m, found " + setting.get().value());
        }
        return wait;
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
