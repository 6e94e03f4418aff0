package io.pgrouter.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.net.SyslogAppender;
import io.pgrouter.core.config.SyslogTarget;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Sets the log level (the {@code log} directive's, one step more verbose per {@code -v}) and where
 * log lines go: stderr (logback.xml's {@code STDERR} appender) and, with {@code logfile FILE},
 * that file, opened in append mode and reopened by {@link #reopen()} after logrotate moved it;
 * with {@code syslog FACILITY[@HOST[:PORT]]}, a syslog daemon as well (logback's SyslogAppender:
 * UDP, RFC 3164).
 */
final class Logging {
    static final String DEFAULT_LEVEL = "INFO";
    private static final List<Level> LADDER = List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE);
    /** The same line as logback.xml's, so a file reads like stderr. */
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n";
    private static final String STDERR = "STDERR";
    private static final String FILE = "LOGFILE";
    static final String SYSLOG = "SYSLOG";
    /** After the syslog header (priority, time, host): the program's name, then the line as on stderr. */
    private static final String SYSLOG_PATTERN = "pgrouter[" + ProcessHandle.current().pid()
            + "]: %-5level [%thread] %logger{0}: %msg";

    private static Appender<ILoggingEvent> stderr;
    /** Writes to {@link #filePath}; logback's FileAppender refuses to reopen a file it had open. */
    private static OutputStreamAppender<ILoggingEvent> file;
    private static Path filePath;
    private static SyslogAppender syslog;
    private static SyslogTarget syslogTarget;

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
        output(logfile, Optional.empty(), toStderr);
    }

    /** {@link #output(Optional, boolean)}, and to a syslog daemon when {@code target} is given. */
    static synchronized void output(Optional<Path> logfile, Optional<SyslogTarget> target, boolean toStderr)
            throws IOException {
        Logger root = root();
        if (!target.equals(Optional.ofNullable(syslogTarget))) {
            SyslogAppender previous = syslog;
            syslog = target.map(Logging::syslogAppender).orElse(null);
            syslogTarget = target.orElse(null);
            if (syslog != null) {
                root.addAppender(syslog);
            }
            if (previous != null) {
                root.detachAppender(previous);
                previous.stop();
            }
        }
        if (stderr == null) {
            stderr = root.getAppender(STDERR);
        }
        if (logfile.isPresent()) {
            Path path = logfile.get().toAbsolutePath();
            if (file == null || !filePath.equals(path)) {
                switchTo(open(path), path);
            }
        } else if (file != null) {
            switchTo(null, null);
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
     * file. The appender swaps streams under its own lock, so no line is lost or torn.
     *
     * @return whether there is a log file
     */
    static synchronized boolean reopen() throws IOException {
        if (file == null) {
            return false;
        }
        file.setOutputStream(new FileOutputStream(filePath.toFile(), true));
        return true;
    }

    /** The log file in use, if any. */
    static synchronized Optional<Path> file() {
        return Optional.ofNullable(filePath);
    }

    private static void switchTo(OutputStreamAppender<ILoggingEvent> next, Path path) {
        Logger root = root();
        OutputStreamAppender<ILoggingEvent> previous = file;
        if (next != null) {
            root.addAppender(next);
        }
        file = next;
        filePath = path;
        if (previous != null) {
            root.detachAppender(previous);
            previous.stop();
        }
    }

    private static OutputStreamAppender<ILoggingEvent> open(Path path) throws IOException {
        // Opened here, not by logback, which reports a file it cannot open only in its status
        // list: this fails with the reason (no such directory, permission denied).
        FileOutputStream out = new FileOutputStream(path.toFile(), true);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(FILE);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        if (!appender.isStarted()) {
            out.close();
            throw new IOException("cannot log to " + path);
        }
        return appender;
    }

    private static SyslogAppender syslogAppender(SyslogTarget target) {
        SyslogAppender appender = new SyslogAppender();
        appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        appender.setName(SYSLOG);
        appender.setSyslogHost(target.host());
        appender.setPort(target.port());
        appender.setFacility(target.facility().toUpperCase(java.util.Locale.ROOT));
        appender.setSuffixPattern(SYSLOG_PATTERN);
        appender.setThrowableExcluded(true); // a stack trace would be one datagram a line
        appender.start();
        return appender;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
