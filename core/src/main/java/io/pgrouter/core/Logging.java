package io.pgrouter.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Sets the log level: the {@code log} directive's, one step more verbose per {@code -v}. */
final class Logging {
    static final String DEFAULT_LEVEL = "INFO";
    private static final List<Level> LADDER = List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE);

    private Logging() {
    }

    static void configure(String base, int verbosity) {
        Level level = Level.toLevel(base, Level.INFO);
        int step = Math.min(LADDER.size() - 1, Math.max(0, LADDER.indexOf(level)) + verbosity);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(LADDER.get(step));
        // Netty's own debug output is noise to an operator below TRACE.
        ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(step >= 4 ? Level.DEBUG : Level.INFO);
    }
}
