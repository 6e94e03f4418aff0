package io.pgrouter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of every command that reads the monitor port ({@code -m HOST:PORT} or
 * {@code -c CONFIG}, {@code --format}, {@code --timeout}) and the reading itself, mixed into
 * {@code status} and {@code pools} so that both find the monitor, time out and fail the same way.
 */
final class MonitorOptions {
    enum Format { TABLE, JSON }

    @CommandLine.ArgGroup(exclusive = true)
    Source source;

    static final class Source {
        @Option(names = {"-m", "--monitor"}, paramLabel = "HOST:PORT",
                description = "The monitor address (default " + ConfigMonitorAddress.DEFAULT + ").")
        String monitor;

        @Option(names = {"-c", "--config"}, paramLabel = "CONFIG",
                description = "Read the monitor address from this pgrouter.conf (or .toml).")
        Path config;
    }

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
            description = "Output: a table for people (default) or a JSON document.")
    Format format;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Give up reading the monitor after this long, e.g. 500ms, 5s (default ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * One reading of the monitor.
     *
     * @param where the monitor address, or the config file when the address could not be read from it
     * @param report the parsed output, when the monitor answered in its format
     * @param failure why there is no report
     */
    record Reading(String where, Optional<MonitorReport> report, Optional<String> failure) {
    }

    Reading read() {
        String where = source != null && source.config != null ? source.config.toString() : "?";
        try {
            where = monitorAddress();
            HostPort monitor = HostPort.parse(where);
            where = monitor.toString();
            MonitorReport report = MonitorParser.parse(MonitorClient.fetch(monitor, timeout));
            return new Reading(where, Optional.of(report), Optional.empty());
        } catch (IOException | IllegalArgumentException | MonitorFormatException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Reading(where, Optional.empty(), Optional.of(reason));
        }
    }

    boolean json() {
        return format == Format.JSON;
    }

    /**
     * Prints that the monitor could not be read, in the chosen format, and returns the exit code:
     * every command fails the same way, so scripts need to know one set of codes.
     */
    int printUnreadable(PrintWriter out, Reading failed) {
        String reason = failed.failure().orElseThrow();
        Verdict v = Verdict.unreachable(failed.where(), reason);
        out.print(json() ? StatusFormat.unreachableJson(failed.where(), v, reason) : v.headline() + "\n");
        out.flush();
        return v.exitCode();
    }

    /** What a command prints from a report that could be read; returns the exit code. */
    @FunctionalInterface
    interface ReportPrinter {
        int print(String where, MonitorReport report);
    }

    /**
     * Reads the monitor and hands the report to {@code printer}, or prints why it could not be
     * read ({@link #printUnreadable}); returns the exit code. Every command runs this way.
     */
    int withReport(PrintWriter out, ReportPrinter printer) {
        Reading reading = read();
        if (reading.report().isEmpty()) {
            return printUnreadable(out, reading);
        }
        int code = printer.print(reading.where(), reading.report().get());
        out.flush();
        return code;
    }

    private String monitorAddress() throws IOException {
        if (source != null && source.config != null) {
            return ConfigMonitorAddress.read(source.config);
        }
        return source != null && source.monitor != null ? source.monitor : ConfigMonitorAddress.DEFAULT;
    }

    /** {@code 250ms}, {@code 5s}, {@code 2m}, as in pgrouter.conf; a plain number is seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                if (v.endsWith("s")) {
                    return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
                }
                if (v.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                }
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("expected a duration like 500ms or 5s, found '" + value + "'");
            }
        }
    }
}
