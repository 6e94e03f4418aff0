package io.pgrouter.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pgrouter-cli pools}: the server connection pools from the monitor port, PgBouncer's
 * {@code SHOW POOLS} for pgrouter. It shows, it does not judge: exit code 0 whenever the monitor
 * answered, whatever the pools look like (clients waiting is what a full pool is for, and how
 * long is too long depends on the application; alert on {@code longestWaitMillis} in the JSON).
 * When the monitor cannot be read the codes and output are those of {@code status}.
 */
@Command(name = "pools", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Shows the server connection pools (one per backend, database and user), from the monitor port.",
            "Exit codes: 0 the monitor answered; 2 the monitor cannot be read."})
final class PoolsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    MonitorOptions monitor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return monitor.withReport(out, (where, report) -> {
            out.print(monitor.json() ? PoolsFormat.json(where, report) : PoolsFormat.table(where, report));
            return Verdict.OK;
        });
    }
}
