package io.pgrouter.core.pool;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code pool { }} block: how many server connections pgrouter may hold, and how long a
 * client waits for one. The names and meanings are PgBouncer's where PgBouncer has the setting.
 * A pool is the server connections to one backend for one (database, user); every pipeline draws
 * its connections from the pools, so the limits hold whatever the pipeline.
 *
 * @param poolSize {@code pool_size}: server connections per pool (default 20)
 * @param reservePoolSize {@code reserve_pool_size}: extra connections a pool may open for a
 *     client that has waited {@code reservePoolTimeout} (default 0: none)
 * @param reservePoolTimeout {@code reserve_pool_timeout} (default 5s)
 * @param maxDbConnections {@code max_db_connections}: server connections per backend and
 *     database, over all users (default 0: no limit)
 * @param maxUserConnections {@code max_user_connections}: server connections per backend and
 *     user, over all databases (default 0: no limit)
 * @param queryWaitTimeout {@code query_wait_timeout}: how long a client waits for a server
 *     connection before it gets SQLSTATE 53300 (default 120s; 0: forever)
 * @param serverIdleTimeout {@code server_idle_timeout}: an idle pooled connection older than
 *     this is closed (default 600s; 0: never)
 * @param serverLifetime {@code server_lifetime}: a pooled connection older than this is closed
 *     when it is given back, instead of pooled (default 3600s; 0: never)
 * @param minPoolSize {@code min_pool_size}: server connections a pool keeps once it has been used,
 *     opened in the background when fewer exist, within the limits above; idle ones it needs are
 *     not closed for {@code server_idle_timeout} (default 0: none)
 * @param serverCheckDelay {@code server_check_delay}: a pooled connection idle longer than this
 *     runs {@code serverCheckQuery} before a client gets it; one that fails it is closed and the
 *     client served on another (default 30s; 0: before every reuse)
 * @param serverCheckQuery {@code server_check_query}: the check (default the empty query, the
 *     cheapest round trip a server answers)
 */
public record PoolSettings(int poolSize, int reservePoolSize, Duration reservePoolTimeout, int maxDbConnections,
        int maxUserConnections, Duration queryWaitTimeout, Duration serverIdleTimeout, Duration serverLifetime,
        int minPoolSize, Duration serverCheckDelay, String serverCheckQuery) {

    /** The block's name in pgrouter.conf. */
    public static final String BLOCK = "pool";

    public static final PoolSettings DEFAULT = new PoolSettings(20, 0, Duration.ofSeconds(5), 0, 0,
            Duration.ofSeconds(120), Duration.ofSeconds(600), Duration.ofSeconds(3600), 0, Duration.ofSeconds(30), "");

    /** The settings of a {@code pool { }} block. */
    public static final Set<String> KEYS = Set.of("pool_size", "min_pool_size", "reserve_pool_size",
            "reserve_pool_timeout", "max_db_connections", "max_user_connections", "query_wait_timeout",
            "server_idle_timeout", "server_lifetime", "server_check_delay", "server_check_query");

    public PoolSettings {
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool_size must be at least 1");
        }
        if (minPoolSize < 0) {
            throw new IllegalArgumentException("min_pool_size must not be negative");
        }
        java.util.Objects.requireNonNull(serverCheckQuery, "serverCheckQuery");
    }

    /** Without the later settings: no {@code min_pool_size}, the default checks. */
    public PoolSettings(int poolSize, int reservePoolSize, Duration reservePoolTimeout, int maxDbConnections,
            int maxUserConnections, Duration queryWaitTimeout, Duration serverIdleTimeout, Duration serverLifetime) {
        this(poolSize, reservePoolSize, reservePoolTimeout, maxDbConnections, maxUserConnections, queryWaitTimeout,
                serverIdleTimeout, serverLifetime, 0, DEFAULT.serverCheckDelay(), DEFAULT.serverCheckQuery());
    }

    /** The connections a pool keeps: {@code min_pool_size}, but never more than {@code pool_size}. */
    public int keptConnections() {
        return Math.min(minPoolSize, poolSize);
    }

    /**
     * Reads a {@code pool { }} block (an empty one gives the defaults).
     *
     * @throws ConfigException naming the file, line and column of the first bad setting
     */
    public static PoolSettings from(PluginConfig block) {
        return from(block, DEFAULT);
    }

    /**
     * Reads pool settings over {@code base}: what the block does not set is {@code base}'s. For
     * the {@code pool { }} block over the defaults, and for a backend's own pool settings over
     * the {@code pool { }} block.
     *
     * @throws ConfigException naming the file, line and column of the first bad setting
     */
    public static PoolSettings from(PluginConfig block, PoolSettings base) {
        block.allowOnly(KEYS);
        return new PoolSettings(
                count(block, "pool_size", base.poolSize(), 1),
                count(block, "reserve_pool_size", base.reservePoolSize(), 0),
                block.duration("reserve_pool_timeout", base.reservePoolTimeout()),
                count(block, "max_db_connections", base.maxDbConnections(), 0),
                count(block, "max_user_connections", base.maxUserConnections(), 0),
                block.duration("query_wait_timeout", base.queryWaitTimeout()),
                block.duration("server_idle_timeout", base.serverIdleTimeout()),
                block.duration("server_lifetime", base.serverLifetime()),
                count(block, "min_pool_size", base.minPoolSize(), 0),
                block.duration("server_check_delay", base.serverCheckDelay()),
                block.string("server_check_query", base.serverCheckQuery()));
    }

    private static int count(PluginConfig block, String key, int fallback, int min) {
        long n = block.count(key, fallback);
        if (n < min || n > 1_000_000) {
            String location = block.setting(key).map(s -> s.location()).orElse(block.location());
            throw new ConfigException(location, key + " must be between " + min + " and 1000000, found " + n);
        }
        return (int) n;
    }
}
