package io.pgrouter.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/** One PostgreSQL server of a {@link PgCluster}. */
public final class PgNode {
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final Path directory;
    private final int port;
    private final String superuser;
    private volatile String superuserPassword = "";

    PgNode(String name, Path directory, int port, String superuser) {
        this.name = name;
        this.directory = directory;
        this.port = port;
        this.superuser = superuser;
    }

    public String name() {
        return name;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The data directory. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    Path directory() {
        return directory;
    }

    void superuserPassword(String password) {
        this.superuserPassword = password;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A superuser connection to the {@code postgres} database. */
    public Connection connect() throws SQLException {
        return connect("postgres", superuser, superuserPassword);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "pgrouter-testkit");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** Starts the server and waits until it accepts connections (also as a hot standby). */
    public void start() {
        OsUser.runServerTool(CTL_TIMEOUT, PgTools.bin("pg_ctl").toString(), "-D", dataDirectory().toString(),
                "-l", directory.resolve("server.log").toString(), "-w", "-t", "60", "start");
    }

    /** A fast shutdown: sessions are ended, the server stops cleanly. */
    public void stop() {
        ctlStop("fast");
    }

    /** An immediate shutdown, as close to a crash as pg_ctl gets. */
    public void kill() {
        ctlStop("immediate");
    }

    private void ctlStop(String mode) {
        OsUser.runServerTool(CTL_TIMEOUT, PgTools.bin("pg_ctl").toString(), "-D", dataDirectory().toString(),
                "-m", mode, "-w", "-t", "60", "stop");
    }

    public boolean isRunning() {
        return OsUser.tryServerTool(Duration.ofSeconds(30), PgTools.bin("pg_ctl").toString(), "-D",
                dataDirectory().toString(), "status").exitCode() == 0;
    }

    public boolean isInRecovery() {
        return queryBoolean("select pg_is_in_recovery()");
    }

    /** Pauses WAL replay on a replica: it keeps receiving WAL but what it serves stops moving. */
    public void pauseReplay() {
        execute("select pg_wal_replay_pause()");
    }

    public void resumeReplay() {
        execute("select pg_wal_replay_resume()");
    }

    /**
     * Re-points a replica at another upstream (after a promotion, say): sets
     * {@code primary_conninfo} and reloads, which restarts the WAL receiver (PostgreSQL 13+).
     * With the default {@code recovery_target_timeline = 'latest'} it then follows the
     * upstream's timeline, as long as it has not replayed past the fork point.
     */
    public void follow(PgNode upstream) {
        String conninfo = "host=" + upstream.host() + " port=" + upstream.port() + " user=" + superuser
                + " application_name=" + name;
        execute("alter system set primary_conninfo = '" + conninfo.replace("'", "''") + "'");
        execute("select pg_reload_conf()");
    }

    /**
     * How many sessions the server has started for a database since its statistics were reset
     * ({@code pg_stat_database.sessions}, PostgreSQL 14+): a pooler's reuse shows as few.
     */
    public long sessionsStarted(String database) {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select sessions from pg_stat_database where datname = '"
                        + database.replace("'", "''") + "'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** Runs one statement as the superuser. */
    public void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    boolean queryBoolean(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The server log, for failure messages. */
    public String serverLog() {
        try {
            return java.nio.file.Files.readString(directory.resolve("server.log"));
        } catch (java.io.IOException e) {
            return "(no server log: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name + "@" + host() + ":" + port;
    }
}
