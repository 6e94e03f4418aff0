package io.pgrouter.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The README's playground: a local primary with two replicas and the assembled pgrouter in front
 * of them, in the foreground. Ctrl-C stops pgrouter, then the cluster, and removes its files.
 *
 * <p>Usage: {@code Playground PGROUTER_HOME [PIPELINE]} (the {@code ./playground} script passes
 * the freshly built distribution).
 */
public final class Playground {
    private Playground() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Playground PGROUTER_HOME [PIPELINE]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String pipeline = args.length > 1 ? args[1] : "readsplit";
        int port = Integer.getInteger("playground.port", 6432);
        int monitor = Integer.getInteger("playground.monitor", 9881);
        requireFree(port, "PLAYGROUND_PORT");
        requireFree(monitor, "PLAYGROUND_MONITOR");

        System.out.println("starting a primary and 2 replicas ...");
        PgCluster cluster = PgCluster.start(2);
        Path dir = Files.createTempDirectory("pgrouter-playground");
        Path config = dir.resolve("pgrouter.conf");
        // pgrouter authenticates clients itself (trust from this machine, as the cluster does),
        // so every pipeline works here, the transaction pipeline included.
        Path hba = dir.resolve("hba.conf");
        Files.writeString(hba, "host all all 127.0.0.1/32 trust\n");
        Files.writeString(config, config(cluster, pipeline, port, monitor) + "hba " + hba + "\n");
        Process router = new ProcessBuilder(home.resolve("bin/pgrouter").toString(), "-F", "-c", config.toString())
                .inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.destroy();
            try {
                router.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cluster.close();
        }, "playground-stop"));

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

    private static void requireFree(int port, String variable) throws IOException {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new IOException("port " + port + " is taken; choose another with " + variable + "=PORT", e);
        }
    }
}
