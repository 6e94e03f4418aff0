package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile or broken startup traffic gets a proper ErrorResponse, and the router lives on. */
class ProtocolErrorsIT {
    @RegisterExtension
    static final RouterFixture fixture = new RouterFixture(0, "session", "");

    @Test
    void sslRequestIsDeclinedAndTheClientMayGoOnInPlainText() throws IOException {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877103);
            out.flush();
            assertEquals('N', s.getInputStream().read());
        }
    }

    @Test
    void protocolVersionTwoIsRefusedWithFeatureNotSupported() throws IOException {
        Map<String, String> fields = errorAfter(out -> {
            out.writeInt(8 + 5 + 2);
            out.writeInt(2 << 16);
            out.write("user\0x\0".getBytes(StandardCharsets.UTF_8));
        });
        assertEquals("0A000", fields.get("C"));
        assertEquals("FATAL", fields.get("S"));
    }

    @Test
    void absurdStartupLengthIsAProtocolViolation() throws IOException {
        Map<String, String> fields = errorAfter(out -> {
            out.writeInt(1 << 30);
            out.writeInt(196608);
        });
        assertEquals("08P01", fields.get("C"));
        assertEquals("invalid length of startup packet", fields.get("M"));
    }

    @Test
    void aClientThatVanishesMidStartupDoesNotHurtOthers() throws Exception {
        try (Socket s = connect()) {
            new DataOutputStream(s.getOutputStream()).writeInt(100); // and never the rest
        }
        try (var c = java.sql.DriverManager.getConnection(fixture.router().jdbcUrl("postgres"), fixture.cluster().superuser(), "");
                var st = c.createStatement(); var rs = st.executeQuery("select 7")) {
            assertTrue(rs.next());
            assertEquals(7, rs.getInt(1));
        }
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", fixture.router().port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends bytes, reads one ErrorResponse, and checks the connection is then closed. */
    private static Map<String, String> errorAfter(Writer writer) throws IOException {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            writer.write(out);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals('E', in.readByte());
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            Map<String, String> fields = new LinkedHashMap<>();
            int i = 0;
            while (body[i] != 0) {
                int end = i + 1;
                while (body[end] != 0) {
                    end++;
                }
                fields.put(String.valueOf((char) body[i]), new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8));
                i = end + 1;
            }
            try {
                in.readByte();
                throw new AssertionError("the connection should be closed after a FATAL error");
            } catch (EOFException expected) {
                return fields;
            } catch (java.net.SocketException reset) {
                // Closed too: bytes the client sent after what pgrouter refused can reach the
                // socket after it closed, and the kernel answers those with a reset instead of EOF.
                assertTrue(reset.getMessage().contains("reset"), reset.toString());
                return fields;
            }
        }
    }
}
