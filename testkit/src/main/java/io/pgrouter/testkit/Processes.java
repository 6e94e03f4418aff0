package io.pgrouter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Long-running server programs (etcd, Patroni) started as the server user, and their end. */
final class Processes {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Processes() {
    }

    /** Starts a program as the server user, its output appended to {@code logFile}. */
    static Process spawn(Path logFile, String... command) {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put("LC_ALL", "C.UTF-8");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Kills a program and everything it started (runuser's child, Patroni's PostgreSQL), and waits. */
    static void kill(Process p) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : tree) {
            h.onExit().join();
        }
    }
}
