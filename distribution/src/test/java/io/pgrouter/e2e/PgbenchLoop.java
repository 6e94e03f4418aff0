package io.pgrouter.e2e;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * pgbench through each of several pgrouters, one short run after another, until closed: a client
 * that meets an error (a node shutting down in a switchover) ends pgbench's run, and the next run
 * starts at once. Each router's runs get {@code -D router=INDEX} for the script.
 */
final class PgbenchLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger runs = new AtomicInteger();
    /** The output of runs that ended with an error, for a failure message. */
    final List<String> failedRuns = new CopyOnWriteArrayList<>();

    /** Starts {@code script} with {@code pgbench ARGS} through each router. */
    PgbenchLoop(List<PgrouterProcess> routers, String script, Path dir, String... args) throws IOException {
        Path file = dir.resolve("pgbench-loop.sql");
        Files.writeString(file, script);
        for (int r = 0; r < routers.size(); r++) {
            List<String> command = new ArrayList<>(List.of(PgTools.bin("pgbench").toString(), "-h", "127.0.0.1",
                    "-p", String.valueOf(routers.get(r).port), "-U", "postgres", "-n", "-D", "router=" + r,
                    "-f", file.toString()));
            command.addAll(List.of(args));
            command.add("postgres");
            Thread t = new Thread(() -> loop(command), "pgbench-r" + r);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void loop(List<String> command) {
        while (running.get()) {
            ProcessResult r = PgTools.run(Duration.ofSeconds(30), Map.of("PGCONNECT_TIMEOUT", "2"),
                    command.toArray(String[]::new));
            runs.incrementAndGet();
            if (r.exitCode() != 0 && failedRuns.size() < 20) {
                failedRuns.add(r.output());
            }
        }
    }

    int runs() {
        return runs.get();
    }

    /** Stops starting runs and waits for the last ones to end. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }
}
