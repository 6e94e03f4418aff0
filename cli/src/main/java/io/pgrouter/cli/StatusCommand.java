package io.pgrouter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pgrouter-cli status}: reads the monitor port and reports, Nagios style, with exit code
 * 0 (every backend OK, none lagging), 1 (some backend not OK or lagging) or 2 (no usable
 * primary: none or split brain; or the monitor cannot be read).
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Shows the backends as pgrouter sees them, from its monitor port.",
            "Exit codes: 0 all OK; 1 a backend is not OK or lags; 2 no usable primary (none, or split brain)"
                + " or the monitor cannot be read."})
final class StatusCommand implements Callable<Integer> {
    enum Format { TABLE, JSON }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String where = source != null && source.config != null ? source.config.toString() : "?";
        MonitorReport report;
        try {
            where = monitorAddress();
            HostPort monitor = HostPort.parse(where);
            where = monitor.toString();
            report = MonitorParser.parse(MonitorClient.fetch(monitor, timeout));
        } catch (IOException | IllegalArgumentException | MonitorFormatException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            Verdict v = Verdict.unreachable(where, reason);
            out.print(format == Format.JSON ? StatusFormat.unreachableJson(where, v, reason) : v.headline() + "\n");
            out.flush();
            return v.exitCode();
        }
        Verdict v = Verdict.of(report);
        out.print(format == Format.JSON ? StatusFormat.json(where, report, v) : StatusFormat.table(where, report, v));
        out.flush();
        return v.exitCode();
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
