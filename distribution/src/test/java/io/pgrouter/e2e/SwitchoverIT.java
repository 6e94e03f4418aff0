package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A planned switchover under load, the way an operator runs it: pause pgrouter, stop the
 * primary, promote the replica, wait until pgrouter's watcher sees the new primary, resume.
 * pgbench (TPC-B, prepared statements) sees no failure: through the transaction pipeline, whose
 * next transaction takes a connection to the new primary, and through readsplit, whose sessions
 * are idle while paused and move to the new primary with their prepared statements.
 */
class SwitchoverIT {
    private static final Pattern REQUESTS = Pattern.compile("requests (\\S+) (\\d+)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "readsplit"})
    void pausePromoteResumeDuringPgbenchFailsNoTransaction(String pipeline) throws Exception {
        try (PgCluster cluster = PgCluster.start(1)) {
            PgNode oldPrimary = cluster.primary();
            PgNode replica = cluster.replicas().get(0);
            Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
            Path socket = dir.resolve("admin.sock");
            String config = Configs.forCluster(cluster, pipeline, "hba " + dir.resolve("hba.conf")
                    + "\nadmin { socket " + socket + " }\n");
            try (PgrouterProcess router = PgrouterProcess.start(dir, config)) {
                router.awaitMonitor(Duration.ofSeconds(15), m -> m.contains("backends 2/2"));
                ProcessResult init = router.pgbench(Duration.ofSeconds(60), "-i", "-s", "1", "-q");
                assertEquals(0, init.exitCode(), init.output());
                cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));

                CompletableFuture<ProcessResult> bench = CompletableFuture.supplyAsync(
                        () -> router.pgbench(Duration.ofSeconds(90), "-M", "prepared", "-c", "4", "-j", "2", "-T", "8"));
                String primaryAddress = Configs.address(oldPrimary);
                router.awaitMonitor(Duration.ofSeconds(20), m -> requestsTo(m, primaryAddress) > 2_000);

                ProcessResult pause = cli(socket, "pause", "--timeout", "60s");
                assertEquals(0, pause.exitCode(), pause.output());
                oldPrimary.stop();
                cluster.promote(replica);
                router.awaitMonitor(Duration.ofSeconds(20),
                        m -> m.contains("\nprimary " + Configs.address(replica) + "\n"));
                ProcessResult resume = cli(socket, "resume");
                assertEquals(0, resume.exitCode(), resume.output());

                ProcessResult result = bench.get(120, TimeUnit.SECONDS);
                System.out.println("pgbench across the switchover:\n" + result.output());
                assertEquals(0, result.exitCode(), result.output() + "\n" + router.log());
                assertTrue(result.output().contains("number of failed transactions: 0 "), result.output());
                assertTrue(requestsTo(router.monitor(), Configs.address(replica)) > 0,
                        "the new primary served the transactions after the resume");
                assertEquals(0, router.stop(Duration.ofSeconds(20)));
            }
        }
    }

    private static long requestsTo(String monitor, String address) {
        Matcher m = REQUESTS.matcher(monitor);
        while (m.find()) {
            if (m.group(1).equals(address)) {
                return Long.parseLong(m.group(2));
            }
        }
        return 0;
    }

    private static ProcessResult cli(Path socket, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = PgrouterProcess.bin("pgrouter-cli").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "-s";
        command[args.length + 2] = socket.toString();
        return PgTools.run(Duration.ofSeconds(90), Map.of("JAVA_HOME", System.getProperty("java.home")), command);
    }
}
