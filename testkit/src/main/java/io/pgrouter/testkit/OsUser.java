package io.pgrouter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs server programs as a user PostgreSQL accepts: itself, or {@code postgres} when the tests
 * run as root (PostgreSQL refuses to run as root).
 */
final class OsUser {
    private static final String POSTGRES = "postgres";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private OsUser() {
    }

    /** Runs a server program; fails with its output when it does not exit 0. */
    static ProcessResult runServerTool(Duration timeout, String... command) {
        ProcessResult r = tryServerTool(timeout, command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + r.exitCode() + ":\n" + r.output());
        }
        return r;
    }

    /** Runs a server program and returns however it ended. */
    static ProcessResult tryServerTool(Duration timeout, String... command) {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", POSTGRES, "--"));
        }
        full.addAll(List.of(command));
        return PgTools.run(timeout, Map.of("LC_ALL", "C"), full.toArray(String[]::new));
    }

    /** A fresh directory the server user owns, readable by everyone (so root can clean it up). */
    static Path newDirectory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (ROOT) {
                PgTools.run(Duration.ofSeconds(10), Map.of(), "chown", POSTGRES + ":", dir.toString());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a directory inside one of {@link #newDirectory}'s, as the server user. */
    static Path subdirectory(Path parent, String name) {
        Path dir = parent.resolve(name);
        runServerTool(Duration.ofSeconds(10), "mkdir", "-m", "0700", dir.toString());
        return dir;
    }

    /** Copies a file for the server user only (mode 0600, as PostgreSQL wants its TLS key). */
    static void installPrivate(Path source, Path target) {
        List<String> command = new ArrayList<>(List.of("install", "-m", "0600"));
        if (ROOT) {
            command.addAll(List.of("-o", POSTGRES, "-g", POSTGRES));
        }
        command.addAll(List.of(source.toString(), target.toString()));
        ProcessResult r = PgTools.run(Duration.ofSeconds(10), Map.of(), command.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cannot install " + source + ": " + r.output());
        }
    }

    /** Appends lines to a file the server user owns. */
    static void append(Path file, String text) {
        runServerTool(Duration.ofSeconds(10), "sh", "-c", "cat >> \"$0\" <<'PGTK_EOF'\n" + text + "\nPGTK_EOF", file.toString());
    }

    /** Removes a directory tree made by {@link #newDirectory}. */
    static void delete(Path dir) {
        PgTools.run(Duration.ofSeconds(30), Map.of(), "rm", "-rf", dir.toString());
    }
}
