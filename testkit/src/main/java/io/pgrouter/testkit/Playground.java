package io.pgrouter.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The README's playground: a local primary with two replicas and the assembled pgrouter in front
 * of them, in the foreground. Ctrl-C (or SIGTERM) stops pgrouter, then the cluster, and removes
 * every file the playground made, also when it comes while the cluster is still being built.
 *
 * <p>Usage: {@code Playground PGROUTER_HOME [PIPELINE]}, ports from the system properties
 * {@code playground.port} and {@code playground.monitor} (the {@code ./playground} script passes
 * the freshly built distribution and its options); {@code --help} prints them.
 */
public final class Playground {
    private static final String USAGE = """
            usage: Playground PGROUTER_HOME [PIPELINE]
              PGROUTER_HOME  an unpacked pgrouter distribution (./playground builds one)
              PIPELINE       readsplit (default), session or transaction
              -Dplayground.port=PORT     where pgrouter listens for clients (default 6432)
              -Dplayground.monitor=PORT  pgrouter's monitor port (default 9881)
            Ctrl-C stops pgrouter and the servers and removes every file the playground made.""";

    /** What the shutdown hook stops and removes; filled in as main makes it. */
    private static final class Made {
        final CountDownLatch setupDone = new CountDownLatch(1);
        volatile boolean stopping;
        volatile Path dir;
        volatile PgCluster cluster;
        volatile Process router;
    }

    private Playground() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        if (args.length < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String pipeline = args.length > 1 ? args[1] : "readsplit";
        int port = Integer.getInteger("playground.port", 6432);
        int monitor = Integer.getInteger("playground.monitor", 9881);
        requireFree(port, "--port PORT (PLAYGROUND_PORT)");
        requireFree(monitor, "--monitor PORT (PLAYGROUND_MONITOR)");

        Made made = new Made();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(made), "playground-stop"));
        Path config;
        try {
            made.dir = Files.createTempDirectory("pgrouter-playground");
            System.out.println("starting a primary and 2 replicas ...");
            made.cluster = PgCluster.start(2);
            config = made.dir.resolve("pgrouter.conf");
            // pgrouter authenticates clients itself (trust from this machine, as the cluster does),
            // so every pipeline works here, the transaction pipeline included.
            Path hba = made.dir.resolve("hba.conf");
            Files.writeString(hba, "host all all 127.0.0.1/32 trust\n");
            Files.writeString(config, config(made.cluster, pipeline, port, monitor) + "hba " + hba + "\n");
            made.router = new ProcessBuilder(home.resolve("bin/pgrouter").toString(), "-F", "-c", config.toString())
                    .inheritIO().start();
        } catch (RuntimeException | IOException e) {
            // A missing PostgreSQL, a failed initdb: the reason in a few lines, no stack trace.
            // (Interrupted by Ctrl-C, the setup fails too; the shutdown hook says nothing of that.)
            made.setupDone.countDown();
            if (!made.stopping) {
                System.err.println("playground: cannot start: " + e.getMessage());
            }
            System.exit(1);
            return;
        } finally {
            made.setupDone.countDown();
        }
        PgCluster cluster = made.cluster;
        Process router = made.router;

        awaitListening(port, router);
        String nodes = cluster.nodes().stream()
                .map(n -> "  " + n.host() + ":" + n.port() + (n.isInRecovery() ? "  replica" : "  primary"))
                .collect(Collectors.joining("\n"));
        System.out.printf("""

                pgrouter (pipeline %s) is in front of:
                %s
                connect:  psql -h 127.0.0.1 -p %d -U %s postgres
                monitor:  %s status -m 127.0.0.1:%d
                config:   %s
                Ctrl-C stops everything.

                """, pipeline, nodes, port, cluster.superuser(), home.resolve("bin/pgrouter-cli"), monitor, config);
        System.exit(router.waitFor());
    }

    /**
     * The shutdown hook: waits for a cluster being built (the servers and tools got the same
     * Ctrl-C, so that ends soon, and PgCluster removes a cluster it could not finish), then stops
     * pgrouter and the cluster and removes the playground's directory.
     */
    private static void stop(Made made) {
        made.stopping = true;
        try {
            if (!made.setupDone.await(2, TimeUnit.MINUTES)) {
                System.err.println("playground: the cluster did not finish starting; removing what exists");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Process router = made.router;
        if (router != null) {
            router.destroy();
            try {
                if (!router.waitFor(30, TimeUnit.SECONDS)) {
                    router.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PgCluster cluster = made.cluster;
        if (cluster != null) {
            cluster.close();
        }
        Path dir = made.dir;
        if (dir != null) {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("playground: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static String config(PgCluster cluster, String pipeline, int port, int monitor) {
        List<String> backends = cluster.nodes().stream().map(n -> "backend " + n.host() + ":" + n.port()).toList();
        return """
                # Written by the playground; see conf/pgrouter.conf.example for every directive.
                listen 127.0.0.1:%d
                monitor 127.0.0.1:%d
                workers 2
                log INFO
                pipeline %s
                health {
                  timeout 2s
                  check 1s
                  database postgres
                  username %s
                }
                backend default { lag 1mb; weight 100 }
                %s
                """.formatted(port, monitor, pipeline, cluster.superuser(), String.join("\n", backends));
    }

    /** Waits (up to a minute) until pgrouter accepts clients, so the connect line below works at once. */
    private static void awaitListening(int port, Process router) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (router.isAlive() && System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100); // polling inside a deadline
            }
        }
    }

    /** A taken port ends the playground with one line saying which and how to choose another. */
    private static void requireFree(int port, String option) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            System.err.println("playground: port " + port + " is taken; choose another with " + option);
            System.exit(2);
        }
    }
}
