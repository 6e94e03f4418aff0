package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.core.server.WarmUp;
import io.pgrouter.pipeline.readsplit.ReadsplitPipelineFactory;
import io.pgrouter.pipeline.session.SessionPipelineFactory;
import io.pgrouter.pipeline.transaction.TransactionPipelineFactory;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.PipelineFactory;
import io.pgrouter.testkit.Await;
import io.pgrouter.testkit.ProcessResult;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The warm-up at start: in process with each shipped pipeline, it serves its sessions without an
 * error, ends within its budget, and leaves no thread and (with paranoid leak detection, as every
 * test here runs) no buffer behind, with no PostgreSQL (touching none is its point); and a
 * pgrouter started with it serves a real cluster as usual.
 */
class WarmUpIT {
    /** A pgrouter that warms up first, in front of a real primary and replica. */
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(1, "readsplit", "warm_up on").pooled();

    private static final Duration SLACK = Duration.ofSeconds(2); // closing the stand-ins and the event loop

    @Test
    void aRouterThatWarmedUpServesTheRealClusterAndCountsNothingOfItsWarmUp() throws Exception {
        assertTrue(fixture.router().log().contains("warmed up in"), fixture.router().log());
        ProcessResult init = fixture.pgbench("-i", "-s", "1", "-q");
        assertEquals(0, init.exitCode(), init.output());
        ProcessResult run = fixture.pgbench("-C", "-S", "-c", "2", "-t", "25");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("number of transactions actually processed: 50/50"), run.output());
        // The warm-up's own clients are not the real server's.
        fixture.router().awaitMonitor(Duration.ofSeconds(10), m -> m.lines().anyMatch(l -> l.equals("clients 0")));
        assertFalse(fixture.router().log().contains("warm-up ended early"), fixture.router().log());
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction", "readsplit"})
    void warmsUpEveryPipelineWithinItsBudgetAndLeavesNothingBehind(String pipeline) {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
        Logger leaks = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        ListAppender<ILoggingEvent> reported = new ListAppender<>();
        reported.start();
        leaks.addAppender(reported);
        try {
            PipelineFactory factory = Stream.of(new SessionPipelineFactory(), new TransactionPipelineFactory(),
                    new ReadsplitPipelineFactory()).filter(f -> f.name().equals(pipeline)).findFirst().orElseThrow();
            WarmUp.Outcome outcome = WarmUp.run(c -> factory.create(PluginConfig.empty(pipeline), c), pipeline,
                    RouterConfig.WARM_UP);

            assertEquals(Optional.empty(), outcome.failure());
            assertEquals(0, outcome.errors(), "errors answered to the warm-up's clients");
            assertTrue(outcome.sessions() >= 8, "sessions: " + outcome.sessions());
            assertTrue(outcome.took().compareTo(RouterConfig.WARM_UP.plus(SLACK)) < 0, "took " + outcome.took());
            Await.until(Duration.ofSeconds(10), "the warm-up's threads to end", () -> Thread.getAllStackTraces().keySet()
                    .stream().noneMatch(t -> t.isAlive() && (t.getName().startsWith("pgrouter-warm-up")
                            || t.getName().startsWith("pgrouter-worker"))));
            // A leaked buffer is reported when the collector has found it and a buffer is allocated afterwards.
            for (int i = 0; i < 5; i++) {
                System.gc();
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                probe.release();
            }
            assertEquals(0, reported.list.stream().filter(e -> e.getFormattedMessage().contains("LEAK")).count(),
                    () -> "leaks: " + reported.list);
        } finally {
            leaks.detachAppender(reported);
        }
    }
}
