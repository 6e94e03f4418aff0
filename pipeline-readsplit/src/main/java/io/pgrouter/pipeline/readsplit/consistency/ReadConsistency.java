package io.pgrouter.pipeline.readsplit.consistency;

import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.config.Values;
import io.pgrouter.spi.protocol.SqlState;
import java.time.Duration;
import java.util.Map;

/**
 * One session's read consistency: its settings ({@code pgrouter.consistency},
 * {@code pgrouter.min_lsn}, {@code pgrouter.max_lag}) and the WAL position of its last write,
 * turned into the one thing routing needs: the position a replica must have replayed to serve the
 * session's next read ({@link #required}). No I/O; one per session, on its event loop.
 */
public final class ReadConsistency {
    /** A position no replica reaches: the read goes to the primary. */
    public static final long PRIMARY_ONLY = Long.MAX_VALUE;
    /** The longest {@code consistency_wait}. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(1);
    /** {@code pgrouter.max_lag} when there is no bound. */
    public static final long NO_LAG_BOUND = -1;

    private final ConsistencyMode configured;
    private final Duration configuredWait;
    private ConsistencyMode mode;
    private Duration maxWait;
    private long minPosition;
    private long maxLag = NO_LAG_BOUND;
    /** At or after the commit of the session's last write; 0 before any. */
    private long lastWrite;
    private boolean wrote;
    /** A write completed and its position is being learned: reads wait for it on the primary. */
    private boolean learning;
    /** Learning the last write's position failed: reads stay on the primary until the next write's is learned. */
    private boolean unknown;

    public ReadConsistency(ConsistencyMode configured, Duration configuredWait) {
        this.configured = configured;
        this.mode = configured;
        this.configuredWait = configuredWait;
        this.maxWait = configuredWait;
    }

    /** How long a read may wait for a replica to replay what it must see ({@code pgrouter.consistency_wait}). */
    public Duration maxWait() {
        return maxWait;
    }

    public ConsistencyMode mode() {
        return mode;
    }

    /** A write of the session completed on the primary; its position follows ({@link #learned}) or not ({@link #notLearned}). */
    public void wrote() {
        wrote = true;
        learning = true;
    }

    /** The position of the session's last write, or one after it. */
    public void learned(long position) {
        lastWrite = Math.max(lastWrite, position);
        learning = false;
        unknown = false;
    }

    /** The position of the last write could not be learned. */
    public void notLearned() {
        learning = false;
        unknown = true;
    }

    /** The position of the session's last write; 0 before any is known. */
    public long lastWrite() {
        return lastWrite;
    }

    /**
     * The WAL position a replica must have replayed to serve the session's next read, or
     * {@link #PRIMARY_ONLY}; 0 when any eligible replica will do.
     *
     * @param primaryPosition the latest position known to have been written on the primary (0 if
     *     none), for {@code pgrouter.max_lag}
     */
    public long required(long primaryPosition) {
        long required = minPosition;
        switch (mode) {
            case STRONG -> {
                if (wrote) {
                    return PRIMARY_ONLY;
                }
            }
            case SESSION -> {
                if (learning || unknown) {
                    return PRIMARY_ONLY;
                }
                required = Math.max(required, lastWrite);
            }
            case EVENTUAL -> {
                // lag limits only, and the settings below
            }
        }
        if (maxLag != NO_LAG_BOUND && primaryPosition > maxLag) {
            required = Math.max(required, primaryPosition - maxLag);
        }
        return required;
    }

    /** Why {@link #required} sends reads to the primary, for logs. */
    public String whyPrimaryOnly() {
        if (mode == ConsistencyMode.STRONG) {
            return "consistency strong: the session wrote";
        }
        return learning ? "read-your-writes: the write's position is not known yet"
                : "read-your-writes: the last write's position could not be learned";
    }

    // ---- settings --------------------------------------------------------------------------------

    /** The names pgrouter answers for ({@code pgrouter.NAME}). */
    public static boolean isSetting(String name) {
        return switch (name) {
            case "consistency", "consistency_wait", "min_lsn", "max_lag" -> true;
            default -> false;
        };
    }

    /** The value SHOW gives. */
    public String show(String name) throws SettingException {
        return switch (name) {
            case "consistency" -> mode.word();
            case "consistency_wait" -> maxWait.toMillis() + "ms";
            case "min_lsn" -> Lsn.format(minPosition);
            case "max_lag" -> Long.toString(maxLag);
            default -> throw unknown(name);
        };
    }

    public void set(String name, String value) throws SettingException {
        switch (name) {
            case "consistency" -> mode = ConsistencyMode.of(value).orElseThrow(() -> invalid(name, value,
                    "eventual, session or strong"));
            case "consistency_wait" -> {
                try {
                    Duration d = Values.duration(value);
                    if (d.compareTo(MAX_WAIT) > 0) {
                        throw new IllegalArgumentException("too long");
                    }
                    maxWait = d;
                } catch (IllegalArgumentException e) {
                    throw invalid(name, value, "a duration from 0 to 1m, such as 0, 20ms or 1s");
                }
            }
            case "min_lsn" -> {
                try {
                    minPosition = value.isBlank() ? 0 : Lsn.parse(value);
                } catch (IllegalArgumentException e) {
                    throw invalid(name, value, "a WAL position such as 16/B374D848");
                }
            }
            case "max_lag" -> {
                try {
                    maxLag = value.strip().equals("-1") ? NO_LAG_BOUND : Values.size(value);
                } catch (IllegalArgumentException e) {
                    throw invalid(name, value, "a size in bytes (1024, 64kb, 16mb) or -1 for no bound");
                }
            }
            default -> throw unknown(name);
        }
    }

    public void reset(String name) throws SettingException {
        switch (name) {
            case "consistency" -> mode = configured;
            case "consistency_wait" -> maxWait = configuredWait;
            case "min_lsn" -> minPosition = 0;
            case "max_lag" -> maxLag = NO_LAG_BOUND;
            default -> throw unknown(name);
        }
    }

    /**
     * Applies the settings a client gave at startup: as parameters of their own
     * ({@code pgrouter.consistency=strong}) or in {@code options} ({@code -c pgrouter.consistency=strong}
     * or {@code --pgrouter.consistency=strong}). Other options are PostgreSQL's.
     */
    public void startup(Map<String, String> parameters) throws SettingException {
        String options = parameters.get("options");
        if (options != null) {
            String[] words = options.strip().split("\\s+");
            for (int i = 0; i < words.length; i++) {
                String w = words[i];
                String assignment = null;
                if (w.equals("-c") && i + 1 < words.length) {
                    assignment = words[++i];
                } else if (w.startsWith("-c")) {
                    assignment = w.substring(2);
                } else if (w.startsWith("--")) {
                    assignment = w.substring(2);
                }
                if (assignment != null) {
                    apply(assignment);
                }
            }
        }
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            if (p.getKey().regionMatches(true, 0, SettingCommand.PREFIX, 0, SettingCommand.PREFIX.length())) {
                set(checkedName(p.getKey()), p.getValue());
            }
        }
    }

    private void apply(String assignment) throws SettingException {
        int eq = assignment.indexOf('=');
        if (eq < 0 || !assignment.regionMatches(true, 0, SettingCommand.PREFIX, 0, SettingCommand.PREFIX.length())) {
            return;
        }
        set(checkedName(assignment.substring(0, eq)), assignment.substring(eq + 1));
    }

    private static String checkedName(String fullName) throws SettingException {
        String name = fullName.substring(SettingCommand.PREFIX.length()).toLowerCase(java.util.Locale.ROOT);
        if (!isSetting(name)) {
            throw unknown(name);
        }
        return name;
    }

    private static SettingException unknown(String name) {
        return new SettingException(SqlState.UNDEFINED_OBJECT,
                "unrecognized configuration parameter \"" + SettingCommand.PREFIX + name
                        + "\" (pgrouter's are pgrouter.consistency, pgrouter.consistency_wait, pgrouter.min_lsn, pgrouter.max_lag)");
    }

    private static SettingException invalid(String name, String value, String expected) {
        return new SettingException(SqlState.INVALID_PARAMETER_VALUE,
                "invalid value for parameter \"" + SettingCommand.PREFIX + name + "\": \"" + value + "\" (expected "
                        + expected + ")");
    }
}
