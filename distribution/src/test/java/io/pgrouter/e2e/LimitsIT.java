package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** max_clients, max_message_size and authentication_timeout, each with a proper error. */
class LimitsIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "session",
            "max_clients 2\nmax_message_size 64kb\nauthentication_timeout 500ms\n");

    @Test
    void aThirdClientIsTurnedAwayWithTooManyConnections() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            SQLException e = assertThrows(SQLException.class, () -> connect().close());
            assertEquals("53300", e.getSQLState(), e.getMessage());
            assertTrue(a.isValid(2) && b.isValid(2), "the clients already in are unharmed");
            Await.until(Duration.ofSeconds(5), "the refusal is logged",
                    () -> fixture.router().log().contains("(max_clients 2 reached)"));
        }
        awaitClients(0);
        try (Connection again = connect()) {
            assertTrue(again.isValid(2), "a place freed is a place taken");
        }
    }

    @Test
    void silentSocketsBeyondMaxClientsAreRefusedAtOnceAndNeverCounted() throws Exception {
        awaitClients(0);
        try (Connection a = connect(); Connection b = connect()) {
            java.util.List<Socket> silent = new java.util.ArrayList<>();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 5; i++) { // max_clients + 5 in all, these saying nothing
                    Socket s = new Socket("127.0.0.1", fixture.router().port);
                    s.setSoTimeout(10_000);
                    silent.add(s);
                }
                for (Socket s : silent) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    assertEquals('E', in.readByte(), "an ErrorResponse without having sent a startup packet");
                    byte[] body = new byte[in.readInt() - 4];
                    in.readFully(body);
                    String error = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                    assertTrue(error.contains("C53300\0") && error.contains("too many clients"), error);
                    assertEquals(-1, in.read(), "then the end of the connection");
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                // authentication_timeout is 500ms here: refused before it, not held until it.
                assertTrue(millis < 450, "refused promptly, took " + millis + " ms");
                String monitor = fixture.router().monitor();
                assertTrue(monitor.contains("\nclients 2\n"), "the refused are never counted:\n" + monitor);
                assertTrue(a.isValid(2) && b.isValid(2), "the clients already in are unharmed");
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }

    @Test
    void anOversizedMessageEndsThatConnectionOnly() throws Exception {
        awaitClients(0);
        try (Connection small = connect(); Socket raw = new Socket("127.0.0.1", fixture.router().port)) {
            raw.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            DataInputStream in = new DataInputStream(raw.getInputStream());
            byte[] params = "user\0postgres\0database\0postgres\0\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(8 + params.length);
            out.writeInt(196608);
            out.write(params);
            out.flush();
            while (in.readByte() != 'Z') { // trust: AuthenticationOk, ParameterStatus..., ReadyForQuery
                in.skipNBytes(in.readInt() - 4);
            }
            in.skipNBytes(in.readInt() - 4);
            // A Query header announcing 100 000 bytes: refused on the header, before any body is read
            // (writing the body would race the close, as with PostgreSQL itself).
            out.writeByte('Q');
            out.writeInt(100_000);
            out.flush();
            assertEquals('E', in.readByte());
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            String error = new String(body, java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(error.contains("C54000") && error.contains("exceeds the limit of 65536 bytes"), error);
            assertEquals(-1, in.read(), "then that connection is closed");
            try (PreparedStatement ps = small.prepareStatement("select length(?)")) {
                ps.setString(1, "x".repeat(10_000));
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(10_000, rs.getInt(1), "another session is unharmed");
                }
            }
        }
    }

    @Test
    void aClientThatSaysNothingIsDisconnectedAfterTheAuthenticationTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fixture.router().port)) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            long start = System.nanoTime();
            assertEquals('E', in.readByte(), "an ErrorResponse, not a silent close");
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(new String(body).contains("08P01"), new String(body));
            assertTrue(millis >= 400 && millis < 5_000, "after about 500 ms, took " + millis);
            assertEquals(-1, in.read(), "then the connection is closed");
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), fixture.cluster().superuser(), "");
    }

    /** The monitor's client count, which falls as pgrouter notices closed connections. */
    private static void awaitClients(int expected) throws Exception {
        fixture.router().awaitMonitor(Duration.ofSeconds(10), m -> m.contains("clients " + expected + "\n"));
    }
}
