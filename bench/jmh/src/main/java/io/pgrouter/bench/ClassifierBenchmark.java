package io.pgrouter.bench;

import io.pgrouter.pipeline.readsplit.sql.StatementClassifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The readsplit classifier on pgbench's statements and a typical ORM query. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClassifierBenchmark {
    @Param({
        "SELECT abalance FROM pgbench_accounts WHERE aid = 48213;",
        "UPDATE pgbench_accounts SET abalance = abalance + -4223 WHERE aid = 48213;",
        "/* orm */ WITH recent AS (SELECT id FROM orders WHERE created > now() - interval '1 day') "
                + "SELECT o.* FROM orders o JOIN recent r ON r.id = o.id ORDER BY o.created DESC LIMIT 50"
    })
    public String sql;

    private final StatementClassifier classifier = new StatementClassifier();

    @Benchmark
    public Object classify() {
        return classifier.classify(sql);
    }
}
