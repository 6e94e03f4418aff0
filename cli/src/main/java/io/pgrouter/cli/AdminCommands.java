package io.pgrouter.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The commands of the admin channel: each turns its options into one command line for
 * pgrouter ({@code reload}, {@code pause timeout=60000ms}, ...). pgrouter checks them again.
 */
final class AdminCommands {
    private static final String EXIT = "Exit codes: 0 done; 1 refused or failed (the reason on stderr); 2 bad usage.";

    private AdminCommands() {
    }

    /** What every admin command shares: the socket options, and sending its line. */
    abstract static class AdminCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        AdminOptions admin;

        /** The command line sent to pgrouter. */
        abstract String line();

        @Override
        public Integer call() {
            return admin.send(spec, line());
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Reloads pgrouter's configuration file and says whether it was applied, or why it was "
                + "rejected (nothing changes then).", EXIT})
    static final class Reload extends AdminCommand {
        @Override
        String line() {
            return "reload";
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Pauses pgrouter for a switchover: running transactions and requests finish, new "
                + "statements wait (no error) until 'resume' or the timeout. Returns once no session is busy; "
                + "fails (and pgrouter resumes) if some still are when the timeout passes.", EXIT})
    static final class Pause extends AdminCommand {
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
                converter = MonitorOptions.DurationConverter.class,
                description = "The longest pgrouter stays paused, from now: then it resumes by itself "
                    + "(default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        String line() {
            return "pause timeout=" + AdminOptions.wire(timeout);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Ends a pause: the statements held go to the backends, in order.", EXIT})
    static final class Resume extends AdminCommand {
        @Override
        String line() {
            return "resume";
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Stops accepting clients and keeps serving those connected; pgrouter exits when the "
                + "last session ends, or when the timeout passes (ending the rest).", EXIT})
    static final class Drain extends AdminCommand {
        @Option(names = "--timeout", paramLabel = "DURATION", converter = MonitorOptions.DurationConverter.class,
                description = "End the sessions still open after this long (default: wait for them).")
        Duration timeout;

        @Override
        String line() {
            return timeout == null ? "drain" : "drain timeout=" + AdminOptions.wire(timeout);
        }
    }

    @Command(name = "shutdown", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Stops pgrouter. Smart (default): no new clients, each session ends (FATAL 57P01) at its "
                + "next transaction boundary, busy ones at the timeout. --fast: every session ends now; open "
                + "transactions are rolled back.", EXIT})
    static final class Shutdown extends AdminCommand {
        @Option(names = "--fast", description = "End every session now, rolling back open transactions.")
        boolean fast;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                converter = MonitorOptions.DurationConverter.class,
                description = "Smart shutdown: end the sessions still busy after this long (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        String line() {
            return "shutdown" + (fast ? " fast" : "") + " timeout=" + AdminOptions.wire(timeout);
        }
    }
}
