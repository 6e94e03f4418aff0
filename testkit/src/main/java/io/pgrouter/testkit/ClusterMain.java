package io.pgrouter.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Starts a cluster for scripts (the benchmark): writes {@code PRIMARY=host:port} and
 * {@code REPLICAS=host:port,...} to an env file, then keeps the cluster up until its standard
 * input closes, and removes it.
 *
 * <p>Usage: {@code ClusterMain ENV_FILE [REPLICAS] [name=value postgresql.conf settings...]}
 */
public final class ClusterMain {
    private ClusterMain() {
    }

    private static final String USAGE = "usage: ClusterMain ENV_FILE [REPLICAS] [setting=value ...]\n"
            + "  writes PRIMARY=host:port and REPLICAS=host:port,... to ENV_FILE once the cluster is up,\n"
            + "  then holds it until standard input closes, and removes it (also on Ctrl-C or SIGTERM)";

    public static void main(String[] args) throws IOException {
        if (args.length >= 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        if (args.length < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        int replicas = args.length > 1 ? replicas(args[1]) : 2;
        PgCluster.Builder builder = PgCluster.builder().replicas(replicas);
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                usageError("expected a postgresql.conf setting as name=value, found '" + args[i] + "'");
            }
            builder.setting(kv[0], kv[1]);
        }
        try (PgCluster cluster = builder.start()) {
            String env = "PRIMARY=" + address(cluster.primary()) + "\nREPLICAS="
                    + cluster.replicas().stream().map(ClusterMain::address).collect(Collectors.joining(",")) + "\n";
            Path file = Path.of(args[0]);
            Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), env);
            Files.move(file.resolveSibling(file.getFileName() + ".tmp"), file); // appears whole
            while (System.in.read() >= 0) {
                // hold the cluster until the caller closes our input
            }
        }
    }

    private static int replicas(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0 && n <= 16) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        usageError("REPLICAS must be a number from 0 to 16, found '" + text + "'");
        return 0;
    }

    private static void usageError(String problem) {
        System.err.println("ClusterMain: " + problem + "\n" + USAGE);
        System.exit(2);
    }

    private static String address(PgNode node) {
        return node.host() + ":" + node.port();
    }
}
