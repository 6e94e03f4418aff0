package io.pgrouter.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    MonitorOptions monitor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return monitor.withReport(out, (where, report) -> {
            Verdict v = Verdict.of(report);
            out.print(monitor.json() ? StatusFormat.json(where, report, v) : StatusFormat.table(where, report, v));
            return v.exitCode();
        });
    }
}
