package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin commands run in-process against a one-shot socket that records what they send. */
class AdminCommandsTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err, String sent) {
    }

    /** Runs the cli with a socket that answers {@code reply} once; returns what it printed and sent. */
    private Run run(String reply, String... args) throws Exception {
        Path socket = dir.resolve("admin.sock");
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel peer = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(1024);
                    while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                        if (peer.read(in) < 0) {
                            break;
                        }
                    }
                    peer.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                    return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Run r = runCli(append(args, "-s", socket.toString()));
            return new Run(r.exit, r.out, r.err, sent.get(10, TimeUnit.SECONDS));
        }
    }

    private static Run runCli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString(), null);
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void eachCommandSendsItsLine() throws Exception {
        assertEquals("reload\n", run("ok configuration reloaded\n", "reload").sent());
        assertEquals("pause timeout=60000ms\n", run("ok paused\n", "pause").sent());
        assertEquals("pause timeout=1500ms\n", run("ok paused\n", "pause", "--timeout", "1500ms").sent());
        assertEquals("resume\n", run("ok resumed\n", "resume").sent());
        assertEquals("drain\n", run("ok draining\n", "drain").sent());
        assertEquals("drain timeout=120000ms\n", run("ok draining\n", "drain", "--timeout", "2m").sent());
        assertEquals("shutdown timeout=30000ms\n", run("ok shutting down\n", "shutdown").sent());
        assertEquals("shutdown fast timeout=30000ms\n", run("ok shutting down\n", "shutdown", "--fast").sent());
    }

    @Test
    void successPrintsTheAnswerAndItsDetails() throws Exception {
        Run r = run("- 'workers' changed from 2 to 3; restart pgrouter to apply it\nok configuration reloaded\n", "reload");
        assertEquals(0, r.exit());
        assertEquals("configuration reloaded\n  'workers' changed from 2 to 3; restart pgrouter to apply it\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aRefusalGoesToStderrWithExitOne() throws Exception {
        Run r = run("- pgrouter.conf:7:1: unknown directive 'lsiten'\nerror configuration rejected, nothing changed\n",
                "reload");
        assertEquals(1, r.exit());
        assertEquals("pgrouter-cli: configuration rejected, nothing changed\n  pgrouter.conf:7:1: unknown directive 'lsiten'\n",
                r.err());
    }

    @Test
    void noSocketIsSaidPlainly() {
        Path missing = dir.resolve("none.sock");
        Run r = runCli("resume", "-s", missing.toString());
        assertEquals(1, r.exit());
        assertEquals("pgrouter-cli: no admin socket at " + missing + " (is pgrouter running, with admin { socket "
                + missing + " } in its configuration?)\n", r.err());
    }

    @Test
    void aConfigWithoutAnAdminSocketIsSaidPlainly() throws Exception {
        Path conf = dir.resolve("pgrouter.conf");
        Files.writeString(conf, "listen *:5432\nbackend 10.0.0.1:5432\n");
        Run r = runCli("reload", "-c", conf.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(conf + " has no admin socket (admin { socket PATH })"), r.err());
    }

    @Test
    void badUsageIsExitTwo() {
        assertEquals(2, runCli("pause", "--timeout", "soon").exit());
        assertEquals(2, runCli("shutdown", "--fats").exit());
        assertEquals(2, runCli("restart").exit());
    }

    @Test
    void answersOutOfFormatAreRejected() throws Exception {
        assertEquals(new AdminClient.Reply(true, "done", List.of("a", "b")), AdminClient.decode("- a\n- b\nok done\n"));
        assertEquals(new AdminClient.Reply(false, "", List.of()), AdminClient.decode("error\n"));
        assertEquals("pgrouter closed the connection without an answer",
                assertThrows(AdminClient.BadReply.class, () -> AdminClient.decode("")).getMessage());
        assertEquals("unexpected line from pgrouter: 'ok early'",
                assertThrows(AdminClient.BadReply.class, () -> AdminClient.decode("ok early\n- late\n")).getMessage());
        assertEquals("unexpected line from pgrouter: '- only'",
                assertThrows(AdminClient.BadReply.class, () -> AdminClient.decode("- only\n")).getMessage());
    }

    @Test
    void findsTheSocketInEitherConfigSyntax() {
        String conf = "# admin { socket /wrong }\nlisten *:5432\nmyplugin { socket /plugin.sock }\n"
                + "admin {\n  users alice\n  socket \"/run/pgrouter/admin.sock\" # here\n}\nsocket /top\n";
        assertEquals(Optional.of("/run/pgrouter/admin.sock"), ConfigSetting.fromConf(conf, "admin", "socket"));
        assertEquals(Optional.of("/top"), ConfigSetting.fromConf(conf, null, "socket"));
        assertEquals(Optional.empty(), ConfigSetting.fromConf("admin { users a }\n", "admin", "socket"));
        String toml = "socket = \"/top\"\n[health]\nsocket = \"/health\"\n[admin]\nsocket = \"/run/a.sock\"\n";
        assertEquals(Optional.of("/run/a.sock"), ConfigSetting.fromToml(toml, "admin", "socket"));
        assertEquals(Optional.of("/top"), ConfigSetting.fromToml(toml, null, "socket"));
    }
}
