package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgNode;
import io.pgrouter.testkit.ProcessResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads spread over the replicas by their sessions, and come back to a replica that recovers:
 * the choice of replica is remade whenever a session would be better off elsewhere, so a stopped
 * and restarted replica takes its share again during the same pgbench run.
 */
class ReadsplitBalanceIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(2, "readsplit", "");

    @Test
    void aReplicaStoppedAndStartedDuringARunServesItsShareAgain() throws Exception {
        ProcessResult init = fixture.pgbench("-i", "-s", "1", "-q");
        assertEquals(0, init.exitCode(), init.output());
        fixture.cluster().awaitReplicasCaughtUp(Duration.ofSeconds(30));
        PgNode first = fixture.cluster().replicas().get(0);
        PgNode second = fixture.cluster().replicas().get(1);
        Await.until(Duration.ofSeconds(20), "both replicas eligible", () -> !fixture.router().monitor().contains("lagging"));

        CompletableFuture<ProcessResult> run = CompletableFuture.supplyAsync(
                () -> fixture.pgbench("-n", "-S", "-c", "8", "-j", "2", "-T", "25"));
        Await.until(Duration.ofSeconds(10), "reads on both replicas",
                () -> fixture.router().requests().getOrDefault(address(first), 0L) > 100
                        && fixture.router().requests().getOrDefault(address(second), 0L) > 100);
        first.stop();
        long whileStopped = fixture.router().requests().getOrDefault(address(second), 0L);
        Await.until(Duration.ofSeconds(10), "the other replica carries the reads",
                () -> fixture.router().requests().getOrDefault(address(second), 0L) > whileStopped + 500);
        first.start();
        Await.until(Duration.ofSeconds(15), "the restarted replica serves reads again",
                () -> fixture.router().monitor().contains(address(first) + " slave OK"));
        // Within a few seconds the sessions spread again: a 3 s window of reads splits evenly.
        Await.until(Duration.ofSeconds(15), "reads split 35-65% between the replicas again",
                () -> splitEvenlyOver3Seconds(first, second));

        ProcessResult r = run.get();
        assertEquals(0, r.exitCode(), r.output() + fixture.router().log());
        assertTrue(r.stdout().contains("number of failed transactions: 0"), r.output());
    }

    /** Whether each replica served 35-65% of the reads both served during the next 3 seconds. */
    private static boolean splitEvenlyOver3Seconds(PgNode first, PgNode second) throws Exception {
        Map<String, Long> before = fixture.router().requests();
        Thread.sleep(3_000); // the measured window, not a wait for a condition
        Map<String, Long> after = fixture.router().requests();
        long a = after.get(address(first)) - before.get(address(first));
        long b = after.get(address(second)) - before.get(address(second));
        double share = a / (double) Math.max(1, a + b);
        return share >= 0.35 && share <= 0.65;
    }

    private static String address(PgNode node) {
        return node.host() + ":" + node.port();
    }
}
