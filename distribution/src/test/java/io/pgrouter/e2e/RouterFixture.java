package io.pgrouter.e2e;

import io.pgrouter.testkit.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/** A real cluster with the assembled pgrouter in front, for a test class to share. */
final class RouterFixture implements AutoCloseable {
    final PgCluster cluster;
    final PgrouterProcess router;

    private RouterFixture(PgCluster cluster, PgrouterProcess router) {
        this.cluster = cluster;
        this.router = router;
    }

    /** Starts {@code replicas} replicas and pgrouter with {@link Configs#forCluster}. */
    static RouterFixture start(Path dir, int replicas, String pipeline, String extraConfig) throws Exception {
        PgCluster cluster = PgCluster.start(replicas);
        try {
            return new RouterFixture(cluster, PgrouterProcess.start(dir, Configs.forCluster(cluster, pipeline, extraConfig)));
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** A pgjdbc connection through pgrouter, as the superuser. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
    }

    /** Stops pgrouter (which must exit 0 and report no leak), then the cluster. */
    @Override
    public void close() throws Exception {
        try {
            int exit = router.stop(Duration.ofSeconds(20));
            if (exit != 0) {
                throw new AssertionError("pgrouter exited with " + exit + ":\n" + router.log());
            }
        } finally {
            cluster.close();
        }
    }
}
