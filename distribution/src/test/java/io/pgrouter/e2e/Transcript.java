package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a session saw, statement by statement: rows, update counts and the SQLSTATE of errors.
 * {@link #same} runs one scenario through pgrouter and on a direct connection to the primary and
 * asserts both saw the same thing.
 */
final class Transcript {
    /** A scenario: {@code name} distinguishes the objects of the two runs (they share a cluster). */
    interface Scenario {
        void run(Connection c, String name, Transcript t) throws Exception;
    }

    private final List<String> lines = new ArrayList<>();

    /**
     * Runs the scenario through pgrouter, then directly on the primary, with the same pgjdbc
     * connection parameters, and compares the transcripts.
     */
    static void same(RouterFixture fixture, String params, Scenario scenario) throws Exception {
        String query = params.isEmpty() ? "" : "?" + params;
        Transcript routed = new Transcript();
        String routedUrl = fixture.router().jdbcUrl("postgres") + (params.isEmpty() ? "" : "&" + params);
        try (Connection c = DriverManager.getConnection(routedUrl, "postgres", "")) {
            scenario.run(c, "r" + Math.abs(System.nanoTime() % 1_000_000), routed);
        }
        Transcript direct = new Transcript();
        try (Connection c = DriverManager.getConnection(fixture.cluster().primary().jdbcUrl("postgres") + query,
                "postgres", "")) {
            scenario.run(c, "d" + Math.abs(System.nanoTime() % 1_000_000), direct);
        }
        assertEquals(String.join("\n", direct.lines), String.join("\n", routed.lines),
                "pgrouter's session (right) differs from a direct one (left)\n" + fixture.router().log());
    }

    void add(String line) {
        lines.add(line);
    }

    /**
     * Runs SQL (several statements are fine) and records every result; {@code %s} in it is
     * replaced by the run's object name, which the transcript leaves out.
     */
    void sql(Statement s, String name, String sql) {
        String shown = sql.replace("%s", "X");
        try {
            boolean isResult = s.execute(sql.replace("%s", name));
            while (true) {
                if (isResult) {
                    try (ResultSet rs = s.getResultSet()) {
                        rows(shown, rs);
                    }
                } else if (s.getUpdateCount() >= 0) {
                    lines.add(shown + " -> " + s.getUpdateCount());
                } else {
                    break;
                }
                isResult = s.getMoreResults();
            }
        } catch (SQLException e) {
            lines.add(shown + " -> ERROR " + e.getSQLState());
        }
    }

    /** Executes a prepared statement and records its rows or its error. */
    void execute(PreparedStatement ps, String label) {
        try {
            if (ps.execute()) {
                try (ResultSet rs = ps.getResultSet()) {
                    rows(label, rs);
                }
            } else {
                lines.add(label + " -> " + ps.getUpdateCount());
            }
        } catch (SQLException e) {
            lines.add(label + " -> ERROR " + e.getSQLState());
        }
    }

    private void rows(String label, ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder sb = new StringBuilder(label).append(" ->");
        while (rs.next()) {
            sb.append(" (");
            for (int i = 1; i <= md.getColumnCount(); i++) {
                sb.append(i > 1 ? "," : "").append(rs.getString(i));
            }
            sb.append(')');
        }
        lines.add(sb.toString());
    }
}
