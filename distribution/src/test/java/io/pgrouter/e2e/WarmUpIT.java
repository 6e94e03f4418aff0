package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The warm-up at start, in process with each shipped pipeline: it serves its sessions without an
 * error, ends within its budget, and leaves no thread and (with paranoid leak detection, as every
 * test here runs) no buffer behind. It needs no PostgreSQL: touching none is its point.
 */
class WarmUpIT {
    private static final Duration SLACK = Duration.ofSeconds(2); // closing the stand-ins and the event loop

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
