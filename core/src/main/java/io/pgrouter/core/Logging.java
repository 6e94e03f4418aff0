package io.pgrouter.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Sets the log level (the {@code log} directive's, one step more verbose per {@code -v}) and where
 * log lines go: stderr (logback.xml's {@code STDERR} appender) and, with {@code logfile FILE},
 * that file, opened in append mode and reopened by {@link #reopen()} after logrotate moved it.
 */
final class Logging {
    static final String DEFAULT_LEVEL = "INFO";
    private static final List<Level> LADDER = List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE);
    /** The same line as logback.xml's, so a file reads like stderr. */
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n";
    private static final String STDERR = "STDERR";
    private static final String FILE = "LOGFILE";

    private static Appender<ILoggingEvent> stderr;
    private static FileAppender<ILoggingEvent> file;

    private Logging() {
    }

    static void configure(String base, int verbosity) {
        Level level = Level.toLevel(base, Level.INFO);
        int step = Math.min(LADDER.size() - 1, Math.max(0, LADDER.indexOf(level)) + verbosity);
        Logger root = root();
        root.setLevel(LADDER.get(step));
        // Netty's own debug output is noise to an operator below TRACE.
        ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(step >= 4 ? Level.DEBUG : Level.INFO);
    }

    /**
     * Sends log lines to {@code logfile} (if given) and to stderr (if {@code toStderr}). The file
     * is opened before anything changes: if it cannot be, this throws and the output stays as it was.
     */
    static synchronized void output(Optional<Path> logfile, boolean toStderr) throws IOException {
        Logger root = root();
        if (stderr == null) {
            stderr = root.getAppender(STDERR);
        }
        if (logfile.isPresent()) {
            Path path = logfile.get().toAbsolutePath();
            if (file == null || !Path.of(file.getFile()).equals(path)) {
                switchTo(open(path));
            }
        } else if (file != null) {
            switchTo(null);
        }
        if (stderr != null) {
            if (toStderr && !root.isAttached(stderr)) {
                root.addAppender(stderr);
            } else if (!toStderr) {
                root.detachAppender(stderr);
            }
        }
    }

    /**
     * Opens the log file again under its name: after logrotate renamed it, lines go to a new
     * file. The new appender is attached before the old one is closed, so no line is lost.
     */
    static synchronized void reopen() throws IOException {
        if (file != null) {
            switchTo(open(Path.of(file.getFile())));
        }
    }

    /** The log file in use, if any. */
    static synchronized Optional<Path> file() {
        return file == null ? Optional.empty() : Optional.of(Path.of(file.getFile()));
    }

    private static void switchTo(FileAppender<ILoggingEvent> next) {
        Logger root = root();
        FileAppender<ILoggingEvent> previous = file;
        if (next != null) {
            root.addAppender(next);
        }
        file = next;
        if (previous != null) {
            root.detachAppender(previous);
            previous.stop();
        }
    }

    private static FileAppender<ILoggingEvent> open(Path path) throws IOException {
        // logback reports a file it cannot open only in its status list: open it first, for an
        // error that says why (no such directory, permission denied).
        try (OutputStream probe = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            probe.flush();
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName(FILE);
        appender.setFile(path.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IOException("cannot open logfile " + path);
        }
        return appender;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
