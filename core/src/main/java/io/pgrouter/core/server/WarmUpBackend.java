package io.pgrouter.core.server;

import io.pgrouter.core.protocol.ProtocolCodes;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType.Backend;
import io.pgrouter.spi.protocol.MessageType.Frontend;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The stand-in PostgreSQL the {@link WarmUp} logs into, in process on loopback, so that the
 * warm-up touches no configured backend. It speaks just enough of the protocol for pgbench's
 * statements: a trust login with the usual ParameterStatus messages, simple queries, and the
 * extended protocol, with one made-up row per SELECT (a WAL position for the LSN queries readsplit
 * asks). Blocking sockets and a thread per connection: the point is pgrouter's code, not this.
 */
final class WarmUpBackend implements AutoCloseable {
    /** What a real server reports at login, so that the greeting pgrouter relays is as long as usual. */
    private static final Map<String, String> PARAMETERS = Map.ofEntries(Map.entry("application_name", "pgbench"),
            Map.entry("client_encoding", "UTF8"), Map.entry("DateStyle", "ISO, MDY"),
            Map.entry("default_transaction_read_only", "off"), Map.entry("in_hot_standby", "off"),
            Map.entry("integer_datetimes", "on"), Map.entry("IntervalStyle", "postgres"),
            Map.entry("is_superuser", "on"), Map.entry("server_encoding", "UTF8"), Map.entry("server_version", "15.18"),
            Map.entry("session_authorization", "postgres"), Map.entry("standard_conforming_strings", "on"),
            Map.entry("TimeZone", "Etc/UTC"));
    private static final int INT4 = 23;

    private final ServerSocket listener;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    WarmUpBackend() throws IOException {
        listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "pgrouter-warm-up-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                open.add(s);
                Thread t = new Thread(() -> serve(s), "pgrouter-warm-up-backend");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            new Connection(new DataInputStream(new BufferedInputStream(s.getInputStream())),
                    new DataOutputStream(new BufferedOutputStream(s.getOutputStream()))).run();
        } catch (IOException e) {
            // the peer went, or close() closed the socket: nothing to do for a stand-in
        } finally {
            open.remove(s);
        }
    }

    /** Stops accepting and closes every connection; their threads end on the closed sockets. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One backend connection: login, then requests until Terminate or end of stream. */
    private static final class Connection {
        private final DataInputStream in;
        private final DataOutputStream out;
        private final Map<String, String> statements = new HashMap<>();
        private String portal = "";
        private boolean inTransaction;
        private boolean failed;

        Connection(DataInputStream in, DataOutputStream out) {
            this.in = in;
            this.out = out;
        }

        void run() throws IOException {
            if (!startup()) {
                return;
            }
            while (true) {
                byte type = in.readByte();
                byte[] body = new byte[in.readInt() - 4];
                in.readFully(body);
                switch (type) {
                    case Frontend.QUERY -> {
                        for (String sql : cString(body, 0).split(";")) {
                            if (!sql.isBlank()) {
                                answer(sql.trim(), true);
                            }
                        }
                        ready();
                    }
                    case Frontend.PARSE -> {
                        String name = cString(body, 0);
                        statements.put(name, cString(body, name.getBytes(StandardCharsets.UTF_8).length + 1));
                        message(Backend.PARSE_COMPLETE, new byte[0]);
                    }
                    case Frontend.BIND -> {
                        String portalName = cString(body, 0);
                        portal = statements.getOrDefault(cString(body, portalName.length() + 1), "");
                        message(Backend.BIND_COMPLETE, new byte[0]);
                    }
                    case Frontend.DESCRIBE -> {
                        if (body[0] == FrontendMessages.STATEMENT) {
                            message(Backend.PARAMETER_DESCRIPTION, new byte[] {0, 0});
                        }
                        if (isSelect(body[0] == FrontendMessages.STATEMENT ? statements.getOrDefault(cString(body, 1), "") : portal)) {
                            rowDescription();
                        } else {
                            message(Backend.NO_DATA, new byte[0]);
                        }
                    }
                    case Frontend.EXECUTE -> answer(portal, false);
                    case Frontend.CLOSE -> message(Backend.CLOSE_COMPLETE, new byte[0]);
                    case Frontend.SYNC -> ready();
                    case Frontend.FLUSH -> out.flush();
                    case Frontend.TERMINATE -> {
                        return;
                    }
                    default -> failed = true; // nothing pgbench sends: the next Sync says so
                }
            }
        }

        /** The startup packet (an SSLRequest refused first), AuthenticationOk and the greeting. */
        private boolean startup() throws IOException {
            int code;
            do {
                int length = in.readInt();
                code = in.readInt();
                in.readFully(new byte[length - 8]);
                if (code == ProtocolCodes.SSL_REQUEST || code == ProtocolCodes.GSSENC_REQUEST) {
                    out.writeByte('N');
                    out.flush();
                }
            } while (code == ProtocolCodes.SSL_REQUEST || code == ProtocolCodes.GSSENC_REQUEST);
            if (code != ProtocolCodes.PROTOCOL_3_0) {
                return false; // a CancelRequest: nothing runs here that it could cancel
            }
            message(Backend.AUTHENTICATION, new byte[] {0, 0, 0, 0});
            for (Map.Entry<String, String> p : PARAMETERS.entrySet()) {
                byte[] name = p.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] value = p.getValue().getBytes(StandardCharsets.UTF_8);
                byte[] body = new byte[name.length + value.length + 2];
                System.arraycopy(name, 0, body, 0, name.length);
                System.arraycopy(value, 0, body, name.length + 1, value.length);
                message(Backend.PARAMETER_STATUS, body);
            }
            message(Backend.BACKEND_KEY_DATA, new byte[] {0, 0, 0x30, 0x39, 1, 2, 3, 4});
            ready();
            return true;
        }

        /** One statement's answer: a row for a SELECT, then its CommandComplete. */
        private void answer(String sql, boolean describe) throws IOException {
            String word = sql.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (isSelect(sql)) {
                if (describe) {
                    rowDescription();
                }
                String value = sql.toLowerCase(Locale.ROOT).contains("lsn") ? "0/3000148" : "4242";
                byte[] v = value.getBytes(StandardCharsets.US_ASCII);
                byte[] row = new byte[6 + v.length];
                row[1] = 1;
                row[5] = (byte) v.length;
                System.arraycopy(v, 0, row, 6, v.length);
                message(Backend.DATA_ROW, row);
                complete("SELECT 1");
                return;
            }
            switch (word) {
                case "BEGIN", "START" -> inTransaction = true;
                case "END", "COMMIT", "ROLLBACK", "ABORT" -> inTransaction = false;
                default -> {
                }
            }
            complete(switch (word) {
                case "INSERT" -> "INSERT 0 1";
                case "UPDATE", "DELETE" -> word + " 1";
                case "END" -> "COMMIT";
                default -> word;
            });
        }

        private static boolean isSelect(String sql) {
            return sql.regionMatches(true, 0, "select", 0, 6);
        }

        private void rowDescription() throws IOException {
            byte[] name = "v".getBytes(StandardCharsets.US_ASCII);
            byte[] body = new byte[2 + name.length + 1 + 18];
            body[1] = 1;
            System.arraycopy(name, 0, body, 2, name.length);
            int at = 2 + name.length + 1 + 6; // table oid, column number
            body[at + 3] = INT4;
            body[at + 5] = 4; // type size
            body[at + 6] = -1;
            body[at + 7] = -1;
            body[at + 8] = -1;
            body[at + 9] = -1; // type modifier -1, format 0
            message(Backend.ROW_DESCRIPTION, body);
        }

        private void complete(String tag) throws IOException {
            byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
            byte[] body = new byte[t.length + 1];
            System.arraycopy(t, 0, body, 0, t.length);
            message(Backend.COMMAND_COMPLETE, body);
        }

        private void ready() throws IOException {
            if (failed) {
                failed = false;
                byte[] body = ("SERROR\0C" + SqlState.FEATURE_NOT_SUPPORTED + "\0Mnot supported by the warm-up\0\0")
                        .getBytes(StandardCharsets.US_ASCII);
                message(Backend.ERROR_RESPONSE, body);
            }
            message(Backend.READY_FOR_QUERY, new byte[] {(byte) (inTransaction ? 'T' : 'I')});
            out.flush();
        }

        private void message(byte type, byte[] body) throws IOException {
            out.writeByte(type);
            out.writeInt(body.length + 4);
            out.write(body);
        }

        private static String cString(byte[] body, int from) {
            int end = from;
            while (end < body.length && body[end] != 0) {
                end++;
            }
            return new String(body, from, end - from, StandardCharsets.UTF_8);
        }
    }
}
