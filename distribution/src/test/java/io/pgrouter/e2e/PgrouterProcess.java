package io.pgrouter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The assembled pgrouter, run as users run it: {@code bin/pgrouter -F -c FILE} in a child
 * process, on the module path, with its stderr kept in a file for assertions and post-mortems.
 */
final class PgrouterProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    final int port;
    final int monitorPort;

    private PgrouterProcess(Process process, Path log, int port, int monitorPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.monitorPort = monitorPort;
    }

    static Path home() {
        return Path.of(System.getProperty("pgrouter.home", "target/pgrouter-home-not-set"));
    }

    static Path bin(String command) {
        return home().resolve("bin").resolve(command);
    }

    /**
     * Writes a config (the text may use {@code ${port}} and {@code ${monitor}} for free ports),
     * starts pgrouter on it, and waits until it accepts clients.
     */
    static PgrouterProcess start(Path dir, String configTemplate, String... extraArgs) throws IOException {
        return startUnder(List.of(), dir, configTemplate, extraArgs);
    }

    /** {@link #start}, with these environment variables for the launcher ({@code PGROUTER_HEAP}, say). */
    static PgrouterProcess start(Path dir, String configTemplate, java.util.Map<String, String> environment)
            throws IOException {
        return startUnder(List.of(), environment, dir, configTemplate);
    }

    /** {@link #start}, with {@code prefix} before the command (e.g. {@code nohup}). */
    static PgrouterProcess startUnder(List<String> prefix, Path dir, String configTemplate, String... extraArgs)
            throws IOException {
        return startUnder(prefix, java.util.Map.of(), dir, configTemplate, extraArgs);
    }

    private static PgrouterProcess startUnder(List<String> prefix, java.util.Map<String, String> environment, Path dir,
            String configTemplate, String... extraArgs) throws IOException {
        int port = freePort();
        int monitor = freePort();
        Path config = dir.resolve("pgrouter.conf");
        Files.writeString(config, configTemplate.replace("${port}", String.valueOf(port))
                .replace("${monitor}", String.valueOf(monitor)));
        Path log = dir.resolve("pgrouter.log");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(bin("pgrouter").toString(), "-F", "-c", config.toString()));
        command.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Every buffer tracked: a leak shows as a LEAK: line in the log, which stop() rejects.
        pb.environment().put("PGROUTER_JAVA_OPTS", "-Dio.netty.leakDetection.level=paranoid");
        pb.environment().putAll(environment);
        Process p = pb.start();
        PgrouterProcess router = new PgrouterProcess(p, log, port, monitor);
        router.awaitListening(Duration.ofSeconds(30));
        return router;
    }

    private void awaitListening(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgrouter exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
        close();
        throw new IllegalStateException("pgrouter did not listen on " + port + " within " + timeout + ":\n" + log());
    }

    String jdbcUrl(String database) {
        // A bounded socket read: a hang in pgrouter fails the test instead of freezing the build.
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?socketTimeout=60";
    }

    /** Everything pgrouter has logged so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the monitor port prints now. */
    String monitor() throws IOException {
        try (Socket s = new Socket("127.0.0.1", monitorPort)) {
            s.setSoTimeout(5_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The monitor's {@code requests HOST:PORT N} lines: requests sessions sent each backend so far. */
    java.util.Map<String, Long> requests() throws IOException {
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        monitor().lines().filter(l -> l.startsWith("requests ")).map(l -> l.split(" "))
                .forEach(f -> counts.put(f[1], Long.parseLong(f[2])));
        return counts;
    }

    /** pgbench through this pgrouter as the superuser {@code postgres}, on database postgres. */
    io.pgrouter.testkit.ProcessResult pgbench(Duration timeout, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(io.pgrouter.testkit.PgTools.bin("pgbench").toString(),
                "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres"));
        command.addAll(List.of(args));
        command.add("postgres");
        return io.pgrouter.testkit.PgTools.run(timeout, java.util.Map.of(), command.toArray(String[]::new));
    }

    /** Sends a signal (HUP, TERM, ...) to pgrouter. */
    void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    /** Polls a condition on the monitor output until it holds or the deadline passes. */
    String awaitMonitor(Duration timeout, java.util.function.Predicate<String> condition) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                last = monitor();
            } catch (java.net.ConnectException notListeningYet) {
                last = notListeningYet.toString();
            }
            if (condition.test(last)) {
                return last;
            }
            pause();
        }
        throw new AssertionError("monitor never matched within " + timeout + "; last:\n" + last + "\nlog:\n" + log());
    }

    /** Waits for pgrouter to exit by itself; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("pgrouter still running after " + timeout + ":\n" + log());
        }
        if (log().contains("LEAK:")) {
            throw new AssertionError("pgrouter leaked buffers:\n" + log());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then wait; returns the exit code. Fails if Netty reported a leaked buffer. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("pgrouter ignored SIGTERM for " + timeout + ":\n" + log());
        }
        if (log().contains("LEAK:")) {
            throw new AssertionError("pgrouter leaked buffers:\n" + log());
        }
        return process.exitValue();
    }

    /**
     * Teardown of a test class that started its own cluster and pgrouter: pgrouter must stop
     * cleanly (exit 0, no leak), and the cluster is removed either way.
     */
    static void stopBoth(PgrouterProcess router, io.pgrouter.testkit.PgCluster cluster) throws InterruptedException {
        try {
            if (router != null) {
                int exit = router.stop(Duration.ofSeconds(20));
                if (exit != 0) {
                    throw new AssertionError("pgrouter exited with " + exit + ":\n" + router.log());
                }
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A port for a pgrouter's listen or monitor address: see {@link io.pgrouter.testkit.LoopbackPorts}. */
    static int freePort() {
        return io.pgrouter.testkit.LoopbackPorts.free();
    }

    private static void pause() {
        try {
            Thread.sleep(50); // polling interval inside a deadline loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
