package io.pgrouter.health.sql;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.Role;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.health.HealthCheck;
import io.pgrouter.spi.health.Probe;
import io.pgrouter.spi.health.WalReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a backend with one SQL query over a pgjdbc connection kept open between probes (a new
 * connection every few seconds per backend would be pure overhead for the server). When a kept
 * connection fails, the probe closes it and tries once on a new connection. The watcher never
 * runs two probes of one backend at once, so each backend's entry has one user at a time.
 *
 * <p>The WAL position is a byte offset ({@code lsn - '0/0'}): the current write position on the
 * primary, the replayed position on a replica, which is what a read on it can see. The replay
 * delay is {@code now() - pg_last_xact_replay_timestamp()}, except when the replica has replayed
 * everything it received: then it is caught up and the delay is 0, however long ago the (idle)
 * primary last committed.
 *
 * <p>It also reports what the watcher needs to tell whether a replica follows the primary: the
 * timeline, the WAL receiver's state and whether replay is paused (see {@link #QUERY}).
 */
final class SqlHealthCheck implements HealthCheck {
    private static final Logger log = LoggerFactory.getLogger(SqlHealthCheck.class);

    /*
     * Timelines: the primary's is the first 8 hex digits of its current WAL file name, which
     * follows a promotion at once (pg_control_checkpoint() waits for the next checkpoint, and
     * PostgreSQL's fast promotion does not take one at once). A replica's is the one its WAL
     * receiver receives while it streams (a receiver retrying a lost upstream still shows the old
     * one). pg_stat_wal_receiver shows its details only to superusers and members
     * of pg_read_all_stats: to others, a receiver row has a NULL status, read as "unknown".
     */
    static final String QUERY = """
            SELECT pg_is_in_recovery() AS in_recovery,
                   (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                         ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint AS wal_bytes,
                   CASE WHEN NOT pg_is_in_recovery() THEN NULL
                        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint
                   END AS replay_delay_ms,
                   CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli::bigint FROM pg_stat_wal_receiver WHERE status = 'streaming')
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint
                   END AS timeline,
                   EXISTS (SELECT FROM pg_stat_wal_receiver) AS has_receiver,
                   (SELECT status FROM pg_stat_wal_receiver) AS receiver_status,
                   CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS replay_paused""";

    /** The WAL receiver status that means it streams from its upstream now. */
    private static final String STREAMING = "streaming";

    private final SqlHealthSettings settings;
    private final org.postgresql.Driver driver = new org.postgresql.Driver();
    private final ConcurrentMap<Endpoint, Connection> connections = new ConcurrentHashMap<>();
    /** Kept for {@link #replayPosition}, apart from the probes' so that the two never share one. */
    private final ConcurrentMap<Endpoint, Connection> positionConnections = new ConcurrentHashMap<>();

    /** A replica's replayed position in bytes; NULL on a primary. */
    static final String POSITION_QUERY = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint";
    private volatile boolean closed;

    SqlHealthCheck(SqlHealthSettings settings) {
        this.settings = settings;
    }

    @Override
    public Probe probe(Endpoint backend, TlsMode tls, Duration timeout) throws SQLException {
        return probe(backend, tls, Optional.empty(), timeout);
    }

    @Override
    public Probe probe(Endpoint backend, TlsMode tls, Optional<Path> trustedCa, Duration timeout) throws SQLException {
        return onKeptConnection(connections, backend, tls, trustedCa, timeout, SqlHealthCheck::query);
    }

    /**
     * One small query on a connection kept for it, apart from the probes' (the position probe
     * asks every few milliseconds).
     */
    @Override
    public OptionalLong replayPosition(Endpoint backend, TlsMode tls, Optional<Path> trustedCa, Duration timeout)
            throws SQLException {
        return onKeptConnection(positionConnections, backend, tls, trustedCa, timeout, SqlHealthCheck::position);
    }

    /** A query run on a connection. */
    @FunctionalInterface
    private interface Query<T> {
        T run(Connection c, Duration timeout) throws SQLException;
    }

    /** Runs a query on the connection {@code kept} holds for the backend, or on a new one it then keeps. */
    private <T> T onKeptConnection(ConcurrentMap<Endpoint, Connection> kept, Endpoint backend, TlsMode tls,
            Optional<Path> trustedCa, Duration timeout, Query<T> query) throws SQLException {
        if (closed) {
            throw new SQLException("health check closed");
        }
        Connection old = kept.remove(backend);
        if (old != null) {
            try {
                T answer = query.run(old, timeout);
                keep(kept, backend, old);
                return answer;
            } catch (SQLException | RuntimeException e) {
                // A kept connection can die while the server is fine (idle_session_timeout, a
                // firewall dropping idle flows, a pooler restart): try once more on a fresh one
                // before calling the backend failed.
                closeQuietly(old);
                log.debug("health connection to {} failed, reconnecting: {}", backend, e.getMessage());
            }
        }
        Connection fresh = connect(backend, tls, trustedCa, timeout);
        try {
            T answer = query.run(fresh, timeout);
            keep(kept, backend, fresh);
            return answer;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(fresh);
            throw e;
        }
    }

    private static OptionalLong position(Connection c, Duration timeout) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            try (ResultSet rs = st.executeQuery(POSITION_QUERY)) {
                if (!rs.next()) {
                    throw new SQLException("position query returned no row");
                }
                long p = rs.getLong(1);
                if (rs.wasNull()) {
                    throw new SQLException("not a replica: pg_last_wal_replay_lsn() is NULL");
                }
                return OptionalLong.of(p);
            }
        }
    }

    private Connection connect(Endpoint backend, TlsMode tls, Optional<Path> trustedCa, Duration timeout)
            throws SQLException {
        // The driver is used directly, not through DriverManager: in a plugin module layer
        // DriverManager may not see pgjdbc's service registration.
        Connection c = driver.connect(settings.url(backend), settings.properties(tls, trustedCa, timeout));
        if (c == null) {
            throw new SQLException("pgjdbc refused the URL " + settings.url(backend));
        }
        log.debug("health connection to {} opened", backend);
        return c;
    }

    private static Probe query(Connection c, Duration timeout) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            try (ResultSet rs = st.executeQuery(QUERY)) {
                if (!rs.next()) {
                    throw new SQLException("health query returned no row");
                }
                boolean inRecovery = rs.getBoolean("in_recovery");
                long wal = rs.getLong("wal_bytes");
                if (rs.wasNull()) {
                    throw new SQLException("server reports no WAL position (in recovery: " + inRecovery + ")");
                }
                long delayMillis = rs.getLong("replay_delay_ms");
                Optional<Duration> delay = rs.wasNull() || !inRecovery
                        ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(0, delayMillis)));
                long tli = rs.getLong("timeline");
                OptionalLong timeline = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(tli);
                WalReceiver receiver = walReceiver(rs.getBoolean("has_receiver"), rs.getString("receiver_status"));
                return new Probe(inRecovery ? Role.REPLICA : Role.PRIMARY, wal, delay, timeline, receiver,
                        rs.getBoolean("replay_paused"));
            }
        }
    }

    private static WalReceiver walReceiver(boolean exists, String status) {
        if (!exists) {
            return WalReceiver.NONE;
        }
        if (status == null) {
            return WalReceiver.UNKNOWN; // details hidden from a health user without pg_read_all_stats
        }
        return status.equals(STREAMING) ? WalReceiver.STREAMING : WalReceiver.NOT_STREAMING;
    }

    private void keep(ConcurrentMap<Endpoint, Connection> kept, Endpoint backend, Connection c) {
        kept.put(backend, c);
        if (closed) {
            close(); // closed while this probe ran: do not leave the connection behind
        }
    }

    @Override
    public void close() {
        closed = true;
        connections.values().forEach(SqlHealthCheck::closeQuietly);
        connections.clear();
        positionConnections.values().forEach(SqlHealthCheck::closeQuietly);
        positionConnections.clear();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("closing a health connection failed", e);
        }
    }
}
