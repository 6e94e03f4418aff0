package io.pgrouter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pgrouter-cli}: operator commands against a running pgrouter. {@code status} and
 * {@code pools} read the monitor port; {@code reload}, {@code pause}, {@code resume},
 * {@code drain} and {@code shutdown} go over the admin socket.
 */
@Command(name = "pgrouter-cli", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Operator commands for a running pgrouter.",
        subcommands = {StatusCommand.class, PoolsCommand.class, AdminCommands.Reload.class, AdminCommands.Pause.class,
            AdminCommands.Resume.class, AdminCommands.Drain.class, AdminCommands.Shutdown.class,
            CommandLine.HelpCommand.class})
public final class Cli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, ready to execute; tests run it in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Cli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try: status, pools, reload, pause, resume, drain, shutdown)");
    }

    /** The version the build wrote into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"pgrouter-cli " + p.getProperty("version", "(development build)")};
        }
    }
}
