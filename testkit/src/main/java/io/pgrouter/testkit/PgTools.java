package io.pgrouter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL's programs and runs them. Binaries come from {@code PG_BIN}, then
 * {@code pg_config --bindir}, then the usual Debian ({@code /usr/lib/postgresql/N/bin}, highest
 * N first) and RPM ({@code /usr/pgsql-N/bin}) paths, then {@code /usr/local/pgsql/bin}.
 */
public final class PgTools {
    private static volatile Path binDir;

    private PgTools() {
    }

    /** The path of a PostgreSQL program ({@code initdb}, {@code psql}, {@code pgbench}, ...). */
    public static Path bin(String tool) {
        return binDirectory().resolve(tool);
    }

    /** The directory holding the server binaries; fails with the list of places searched. */
    public static Path binDirectory() {
        Path dir = binDir;
        if (dir == null) {
            dir = find().orElseThrow(() -> new IllegalStateException(
                    "no PostgreSQL server binaries found (looked at $PG_BIN, pg_config --bindir, "
                            + "/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin); "
                            + "install Debian's postgresql package or set PG_BIN"));
            binDir = dir;
        }
        return dir;
    }

    private static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        pgConfigBindir().ifPresent(candidates::add);
        candidates.addAll(versioned(Path.of("/usr/lib/postgresql"), ""));
        candidates.addAll(versioned(Path.of("/usr"), "pgsql-"));
        candidates.add(Path.of("/usr/local/pgsql/bin"));
        return candidates.stream().filter(d -> Files.isExecutable(d.resolve("initdb"))).findFirst();
    }

    private static Optional<Path> pgConfigBindir() {
        try {
            ProcessResult r = run(Duration.ofSeconds(10), Map.of(), "pg_config", "--bindir");
            return r.exitCode() == 0 ? Optional.of(Path.of(r.stdout().strip())) : Optional.empty();
        } catch (RuntimeException notInstalled) {
            return Optional.empty();
        }
    }

    /** {@code parent/<prefix>N/bin} for every version N present, highest first. */
    private static List<Path> versioned(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(prefix))
                    .filter(d -> d.getFileName().toString().substring(prefix.length()).matches("\\d+(\\.\\d+)?"))
                    .sorted(Comparator.comparingDouble(
                            (Path d) -> Double.parseDouble(d.getFileName().toString().substring(prefix.length()))).reversed())
                    .map(d -> d.resolve("bin"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Runs a command to completion and captures its output; kills it when it outlives the
     * timeout and reports that as exit code -1 with a note on stderr.
     */
    public static ProcessResult run(Duration timeout, Map<String, String> env, String... command) {
        return run(timeout, env, null, command);
    }

    /** The same, in {@code directory} (null: the current one). */
    public static ProcessResult run(Duration timeout, Map<String, String> env, Path directory, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + Arrays.toString(command), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new ProcessResult(-1, out.join(), err.join() + "\n[killed after " + timeout + ": "
                        + String.join(" ", command) + "]");
            }
            return new ProcessResult(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + Arrays.toString(command), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
