package io.pgrouter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the admin socket is ({@code -s PATH}, or {@code -c CONFIG} to read its {@code admin {
 * socket PATH }}), and the sending of one command, mixed into every admin command so that all
 * find the socket, print and fail the same way: the answer on stdout and exit 0, or
 * {@code pgrouter-cli: ...} on stderr and exit 1.
 */
final class AdminOptions {
    /** Where the shipped configuration and systemd unit put the socket. */
    static final Path DEFAULT_SOCKET = Path.of("/run/pgrouter/admin.sock");

    @CommandLine.ArgGroup(exclusive = true)
    Source source;

    static final class Source {
        @Option(names = {"-s", "--socket"}, paramLabel = "PATH",
                description = "pgrouter's admin socket (default " + "/run/pgrouter/admin.sock" + ").")
        Path socket;

        @Option(names = {"-c", "--config"}, paramLabel = "CONFIG",
                description = "Read the admin socket from this pgrouter.conf (or .toml): admin { socket PATH }.")
        Path config;
    }

    /** Sends {@code command}, prints the answer; returns the exit code. */
    int send(CommandLine.Model.CommandSpec spec, String command) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            AdminClient.Reply reply = AdminClient.send(socket(), command);
            PrintWriter to = reply.ok() ? out : err;
            to.println(reply.ok() ? reply.summary() : "pgrouter-cli: " + reply.summary());
            for (String d : reply.details()) {
                to.println("  " + d);
            }
            to.flush();
            return reply.ok() ? 0 : 1;
        } catch (AdminClient.Unreachable | AdminClient.BadReply e) {
            err.println("pgrouter-cli: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    Path socket() throws AdminClient.Unreachable {
        if (source != null && source.config != null) {
            Optional<String> found;
            try {
                found = ConfigSetting.read(source.config, "admin", "socket");
            } catch (IOException e) {
                throw new AdminClient.Unreachable("cannot read " + source.config + ": " + e);
            }
            Path dir = source.config.toAbsolutePath().getParent();
            return found.map(p -> dir.resolve(p).normalize()).orElseThrow(() -> new AdminClient.Unreachable(
                    source.config + " has no admin socket (admin { socket PATH }): pgrouter has no admin channel"));
        }
        return source != null && source.socket != null ? source.socket : DEFAULT_SOCKET;
    }

    /** A duration as the admin channel reads it. */
    static String wire(Duration d) {
        return d.toMillis() + "ms";
    }
}
