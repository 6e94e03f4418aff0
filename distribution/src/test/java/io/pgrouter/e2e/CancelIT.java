package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cancel requests carry pgrouter's own keys and reach the backend running the statement. */
class CancelIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "session", "");

    @Test
    void pgjdbcQueryTimeoutCancelsALongSleepWithinASecondOrTwo() throws Exception {
        try (Connection c = DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), fixture.cluster().superuser(), "");
                Statement s = c.createStatement()) {
            s.setQueryTimeout(1); // pgjdbc sends a CancelRequest with the key it was given after 1 s
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("select pg_sleep(60)"));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("57014", e.getSQLState(), e.getMessage()); // query_canceled
            assertTrue(elapsedMillis < 5_000, "cancelled after " + elapsedMillis + " ms");
            try (ResultSet rs = s.executeQuery("select 1")) {
                assertTrue(rs.next(), "the session goes on after a cancel");
            }
        }
    }

    @Test
    void theClientSeesPgroutersKeyNotTheBackendsAndAWrongKeyDoesNothing() throws Exception {
        try (Connection c = DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), fixture.cluster().superuser(), "");
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            int backendPid = rs.getInt(1);
            // pgjdbc keeps the key from BackendKeyData; it is not the backend's pid.
            int clientSidePid = c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
            assertTrue(clientSidePid != backendPid, "pgrouter hands out its own cancel key");

            // While a statement runs, a CancelRequest with the right pid and a guessed secret is ignored.
            var sleeping = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (Statement other = c.createStatement(); ResultSet slept = other.executeQuery("select pg_sleep(1.5), 'done'")) {
                    slept.next();
                    return slept.getString(2);
                } catch (SQLException e) {
                    return e.getSQLState();
                }
            });
            try (Socket socket = new Socket("127.0.0.1", fixture.router().port)) {
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(16);
                out.writeInt(80877102);
                out.writeInt(clientSidePid);
                out.writeInt(12345);
                out.flush();
                socket.setSoTimeout(5_000);
                assertEquals(-1, socket.getInputStream().read(), "a cancel is answered by closing, nothing else");
            }
            assertEquals("done", sleeping.get(20, java.util.concurrent.TimeUnit.SECONDS), "a wrong key cancels nothing");
            try (ResultSet again = s.executeQuery("select 2")) {
                assertTrue(again.next());
                assertEquals(2, again.getInt(1));
            }
        }
    }
}
