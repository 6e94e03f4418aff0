package io.pgrouter.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL primary with streaming replicas, on free loopback ports, in a temporary
 * directory that {@link #close()} removes. Nothing is mocked: tests talk to real servers.
 *
 * <pre>{@code
 * try (PgCluster cluster = PgCluster.start(2)) {
 *     cluster.primary().execute("create table t (id int)");
 *     cluster.awaitReplicasCaughtUp(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class PgCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgCluster.class);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final String SUPERUSER = "postgres";

    private final Path base;
    private final List<PgNode> nodes;
    private final Thread cleanup;
    private volatile PgNode primary;

    private PgCluster(Path base, List<PgNode> nodes) {
        this.base = base;
        this.nodes = List.copyOf(nodes);
        this.primary = nodes.get(0);
        // A test run that dies must not leave servers behind.
        this.cleanup = new Thread(this::destroy, "pgcluster-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A primary with {@code replicas} streaming replicas, trust authentication. */
    public static PgCluster start(int replicas) {
        return builder().replicas(replicas).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The node that is primary now (it changes with {@link #promote}). */
    public PgNode primary() {
        return primary;
    }

    /** Every node but the current primary. */
    public List<PgNode> replicas() {
        return nodes.stream().filter(n -> n != primary).toList();
    }

    /** All nodes, in creation order; node 0 is the first primary. */
    public List<PgNode> nodes() {
        return nodes;
    }

    public String superuser() {
        return SUPERUSER;
    }

    /** Waits until every running replica has replayed the primary's current WAL position. */
    public void awaitReplicasCaughtUp(Duration timeout) {
        // The insert position, not the write position: with synchronous_commit off a commit may not be
        // written yet when its transaction returns.
        String target = queryString(primary, "select pg_current_wal_insert_lsn()::text");
        for (PgNode replica : replicas()) {
            if (!replica.isRunning()) {
                continue;
            }
            await(timeout, () -> replica.queryBoolean(
                    "select coalesce(pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn, false)"),
                    replica + " did not replay up to " + target);
        }
    }

    /** Promotes a replica and waits until it accepts writes; it is {@link #primary()} from then on. */
    public void promote(PgNode node) {
        OsUser.runServerTool(SETUP_TIMEOUT, PgTools.bin("pg_ctl").toString(), "-D", node.dataDirectory().toString(),
                "-w", "-t", "60", "promote");
        await(Duration.ofSeconds(60), () -> !node.isInRecovery(), node + " did not leave recovery");
        primary = node;
    }

    /** Stops every server at once and removes the cluster's files. */
    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or will run: nothing to remove.
        }
    }

    private synchronized void destroy() {
        for (PgNode n : nodes) {
            if (n.isRunning()) {
                try {
                    n.kill();
                } catch (RuntimeException e) {
                    log.warn("could not stop {}: {}", n, e.getMessage());
                }
            }
        }
        OsUser.delete(base);
    }

    static String queryString(PgNode node, String sql) {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(node + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Polls a condition until it holds or the deadline passes; errors count as "not yet". */
    static void await(Duration timeout, BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(50); // poll interval inside the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(failure, e);
            }
        }
        throw new IllegalStateException(failure + " within " + timeout + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** Options for a cluster. */
    public static final class Builder {
        private int replicas = 2;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private String hbaMethod = "trust";
        private String superuserPassword = "";
        private TestPki tls;

        private Builder() {
        }

        /** Serve TLS on every node with the PKI's server certificate (for localhost and 127.0.0.1). */
        public Builder tls(TestPki pki) {
            this.tls = pki;
            return this;
        }

        public Builder replicas(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("replicas must be >= 0");
            }
            this.replicas = count;
            return this;
        }

        /** A postgresql.conf setting for every node. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * The authentication method of client (not replication) connections over TCP:
         * {@code trust}, {@code md5}, {@code scram-sha-256}, ... A method other than trust needs
         * {@link #superuserPassword}.
         */
        public Builder hbaMethod(String method) {
            this.hbaMethod = method;
            return this;
        }

        public Builder superuserPassword(String password) {
            this.superuserPassword = password;
            return this;
        }

        public PgCluster start() {
            if (!"trust".equals(hbaMethod) && superuserPassword.isEmpty()) {
                throw new IllegalArgumentException("hba method " + hbaMethod + " needs a superuser password");
            }
            Path base = OsUser.newDirectory("pgtk");
            try {
                return ClusterSetup.create(base, replicas, settings, hbaMethod, superuserPassword, tls);
            } catch (RuntimeException e) {
                OsUser.delete(base);
                throw e;
            }
        }
    }

    /** Builds the servers of a cluster; kept apart so that PgCluster reads as its API. */
    private static final class ClusterSetup {
        static PgCluster create(Path base, int replicaCount, Map<String, String> settings, String hbaMethod,
                String password, TestPki tls) {
            PgNode primary = new PgNode("primary", OsUser.subdirectory(base, "n0"), LoopbackPorts.free(), SUPERUSER);
            OsUser.runServerTool(SETUP_TIMEOUT, PgTools.bin("initdb").toString(), "-D", primary.dataDirectory().toString(),
                    "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
            if (tls != null) {
                // In the data directory, so that pg_basebackup hands them to the replicas too.
                OsUser.installPrivate(tls.serverCertificate(), primary.dataDirectory().resolve("server.crt"));
                OsUser.installPrivate(tls.serverKey(), primary.dataDirectory().resolve("server.key"));
                settings = new LinkedHashMap<>(settings);
                settings.put("ssl", "on");
                settings.put("ssl_cert_file", "'server.crt'");
                settings.put("ssl_key_file", "'server.key'");
            }
            OsUser.append(primary.dataDirectory().resolve("postgresql.conf"), conf(primary, settings));
            primary.start();
            if (!password.isEmpty()) {
                primary.execute("alter role " + SUPERUSER + " password '" + password.replace("'", "''") + "'");
                primary.superuserPassword(password);
            }
            if (!"trust".equals(hbaMethod)) {
                // Client connections authenticate with the method; replication stays trusted.
                OsUser.runServerTool(Duration.ofSeconds(10), "sed", "-i", "-E",
                        "s/^(host[[:space:]]+all[[:space:]].*)trust$/\\1" + hbaMethod + "/",
                        primary.dataDirectory().resolve("pg_hba.conf").toString());
                primary.execute("select pg_reload_conf()");
            }
            List<PgNode> nodes = new ArrayList<>(List.of(primary));
            List<CompletableFuture<PgNode>> replicas = new ArrayList<>();
            Map<String, String> nodeSettings = settings;
            for (int i = 1; i <= replicaCount; i++) {
                int index = i;
                replicas.add(CompletableFuture.supplyAsync(() -> replica(base, primary, index, nodeSettings, password)));
            }
            for (CompletableFuture<PgNode> r : replicas) {
                nodes.add(r.join());
            }
            await(SETUP_TIMEOUT, () -> streamingReplicas(primary) >= replicaCount,
                    "replicas did not start streaming from the primary");
            log.info("cluster up: {}", nodes);
            return new PgCluster(base, nodes);
        }

        private static PgNode replica(Path base, PgNode primary, int index, Map<String, String> settings, String password) {
            PgNode node = new PgNode("replica" + index, OsUser.subdirectory(base, "n" + index), LoopbackPorts.free(),
                    SUPERUSER);
            node.superuserPassword(password);
            OsUser.runServerTool(SETUP_TIMEOUT, PgTools.bin("pg_basebackup").toString(), "-h", primary.host(),
                    "-p", String.valueOf(primary.port()), "-U", SUPERUSER, "-D", node.dataDirectory().toString(),
                    "-R", "-X", "stream", "-c", "fast", "--no-sync");
            // The copied postgresql.conf carries the primary's port and socket directory: override.
            OsUser.append(node.dataDirectory().resolve("postgresql.conf"), conf(node, settings));
            node.start();
            return node;
        }

        private static int streamingReplicas(PgNode primary) {
            return Integer.parseInt(queryString(primary,
                    "select count(*) from pg_stat_replication where state = 'streaming'"));
        }

        private static String conf(PgNode node, Map<String, String> settings) {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("port", String.valueOf(node.port()));
            all.put("listen_addresses", "'127.0.0.1'");
            all.put("unix_socket_directories", "'" + node.directory() + "'");
            all.put("wal_level", "replica");
            all.put("max_wal_senders", "10");
            all.put("wal_keep_size", "'256MB'"); // a paused or stopped replica can catch up
            all.put("hot_standby", "on");
            all.put("fsync", "off"); // test data is disposable: trade durability for speed
            all.put("synchronous_commit", "off");
            all.put("full_page_writes", "off");
            all.put("shared_buffers", "'32MB'");
            all.put("max_connections", "200");
            all.put("log_min_messages", "warning");
            all.putAll(settings);
            StringBuilder sb = new StringBuilder("\n# pgrouter testkit\n");
            all.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
            return sb.toString();
        }
    }
}
