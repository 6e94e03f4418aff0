package io.pgrouter.e2e;

import io.pgrouter.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real cluster with the assembled pgrouter in front, shared by a test class:
 * {@code @RegisterExtension static final RouterFixture fixture = new RouterFixture(0, "session", "");}
 * starts both before the class and, after it, stops pgrouter (which must exit 0 and report no
 * leaked buffer) and the cluster.
 */
final class RouterFixture implements BeforeAllCallback, AfterAllCallback {
    private final int replicas;
    private final String pipeline;
    private final String extraConfig;
    private boolean pooled;
    private java.util.Map<String, String> environment = java.util.Map.of();
    private Path dir;
    private PgCluster cluster;
    private PgrouterProcess router;

    RouterFixture(int replicas, String pipeline, String extraConfig) {
        this.replicas = replicas;
        this.pipeline = pipeline;
        this.extraConfig = extraConfig;
    }

    /**
     * pgrouter authenticates clients itself (hba trust) and runs one worker: backend connections
     * are then pooled and handed from one client to the next, which the test exercises.
     */
    RouterFixture pooled() {
        pooled = true;
        return this;
    }

    /** Environment variables for pgrouter's launcher ({@code PGROUTER_HEAP}, say). */
    RouterFixture environment(java.util.Map<String, String> variables) {
        environment = java.util.Map.copyOf(variables);
        return this;
    }

    PgCluster cluster() {
        return cluster;
    }

    PgrouterProcess router() {
        return router;
    }

    /** pgbench through pgrouter, as the superuser, on database postgres (bounded at 2 minutes). */
    io.pgrouter.testkit.ProcessResult pgbench(String... args) {
        return pgbench(java.util.Map.of(), args);
    }

    /** {@link #pgbench(String...)} with these environment variables ({@code PGOPTIONS}, say). */
    io.pgrouter.testkit.ProcessResult pgbench(java.util.Map<String, String> environment, String... args) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                io.pgrouter.testkit.PgTools.bin("pgbench").toString(), "-h", "127.0.0.1", "-p", String.valueOf(router.port),
                "-U", cluster.superuser()));
        command.addAll(java.util.List.of(args));
        command.add("postgres");
        return io.pgrouter.testkit.PgTools.run(java.time.Duration.ofSeconds(120), environment,
                command.toArray(String[]::new));
    }

    /** A pgjdbc connection through pgrouter, as the superuser. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("pgrouter-e2e");
        cluster = PgCluster.start(replicas);
        String config = Configs.forCluster(cluster, pipeline, extraConfig);
        if (pooled) {
            Files.writeString(dir.resolve("hba.conf"), "host all all all trust\n");
            config = Configs.forCluster(cluster, pipeline, extraConfig + "\nhba " + dir.resolve("hba.conf"))
                    .replace("workers 2", "workers 1");
        }
        router = PgrouterProcess.start(dir, config, environment);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            PgrouterProcess.stopBoth(router, cluster);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
