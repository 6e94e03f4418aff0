package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgrouter.core.auth.BackendAuthenticator;
import io.pgrouter.core.auth.ScramVerifier;
import io.pgrouter.core.auth.UserSecret;
import io.pgrouter.core.protocol.ProtocolCodes;
import io.pgrouter.spi.protocol.MessageType.Backend;
import io.pgrouter.spi.protocol.MessageType.Frontend;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One client of the {@link WarmUp}: logs in through pgrouter as pgbench does (answering the
 * authentication pgrouter asks for with the same code pgrouter answers backends with) and sends
 * pgbench's statements, waiting for each answer. Blocking and bounded by a read timeout: a warm-up
 * that goes wrong ends early, it never hangs the start.
 */
final class WarmUpClient {
    /** What one session sends after its login, repeated; pgbench's phases. */
    enum Workload {
        SIMPLE, EXTENDED, PREPARED, TPCB
    }

    private static final int READ_TIMEOUT_MS = 2000;
    private static final String SELECT = "SELECT abalance FROM pgbench_accounts WHERE aid = ";
    private static final String[] TPCB = {"BEGIN;", "UPDATE pgbench_accounts SET abalance = abalance + -1 WHERE aid = 7;",
        "SELECT abalance FROM pgbench_accounts WHERE aid = 7;",
        "UPDATE pgbench_tellers SET tbalance = tbalance + -1 WHERE tid = 3;",
        "UPDATE pgbench_branches SET bbalance = bbalance + -1 WHERE bid = 1;",
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (3, 1, 7, -1, CURRENT_TIMESTAMP);", "END;"};

    static final String TRUST_USER = "pgbench";
    static final String MD5_USER = "warmup_md5";
    static final String SCRAM_USER = "warmup_scram";
    static final String PASSWORD = "warm-up";
    /**
     * The stored SCRAM secret of {@link #PASSWORD} (salt "warm-up salt", 4096 iterations), and its
     * ClientKey, with which the client answers as pgrouter answers a backend for a SCRAM-logged
     * client: computed once here, as deriving them takes a cold JVM most of a second.
     */
    static final String SCRAM_VERIFIER = "SCRAM-SHA-256$4096:d2FybS11cCBzYWx0$"
            + "SkxtyWswenIe6GhN3eJhQ3lupVLyOJVcmmF6jGI3XeM=:pX3UYAYEVbBTZm6/Dw5zbU/wXyTJ2+Nu8cNTKPWisYc=";
    static final String SCRAM_CLIENT_KEY = "GGiBAsrMsaz6topi9wiJo+DLWMbUavGESIdXP51dNyU=";
    /** Stops earlier after this many sessions (a fast machine needs no more). */
    private static final int MAX_SESSIONS = 1000;

    private final InetSocketAddress proxy;
    private int next;
    private int sessions;
    private int transactions;
    private int errors;
    private String firstError;
    private String refused;
    private String failure;

    /** @param first where in the mix of sessions this client starts, so that clients differ */
    WarmUpClient(InetSocketAddress proxy, int first) {
        this.proxy = proxy;
        this.next = first * 4;
    }

    /**
     * Sessions until the deadline: mostly trust, two in sixteen md5, one in sixteen SCRAM (or all
     * relayed to the primary), every workload, and every other one pgbench -C's (one transaction,
     * then the next login; a password login's is always one: its login is what it warms). A refused relayed login ends the run; anything else that goes wrong
     * is kept as its {@link #failure()}.
     */
    void drive(long deadline, boolean relayed) {
        try {
            while (System.nanoTime() < deadline && sessions < MAX_SESSIONS && failure == null) {
                int i = next++;
                String user = relayed ? TRUST_USER : switch (i % 16) {
                    case 3, 11 -> MD5_USER;
                    case 7 -> SCRAM_USER;
                    default -> TRUST_USER;
                };
                Workload workload = Workload.values()[(i / 2) % 4];
                int count = i % 2 == 0 || !user.equals(TRUST_USER) ? 1 : 16;
                sessions++;
                if (session(user, workload, count)) {
                    transactions += count;
                } else if (relayed) {
                    return; // the transaction pipeline needs pgrouter's own logins
                } else {
                    failure = "login refused: " + refused;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        }
    }

    int sessions() {
        return sessions;
    }

    int transactions() {
        return transactions;
    }

    /** Why the client stopped early, or null. */
    String failure() {
        return failure;
    }

    /** Errors the sessions were answered with (none when all is well: a test checks it). */
    int errors() {
        return errors;
    }

    /** The first error's message, or null. */
    String firstError() {
        return firstError;
    }

    private void error(byte[] body) {
        errors++;
        if (firstError == null) {
            firstError = new String(body, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        }
    }

    /**
     * One session: login as {@code user}, {@code transactions} of the workload, Terminate.
     *
     * @return false when the login was refused (then nothing else is sent)
     */
    boolean session(String user, Workload workload, int transactions) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(proxy, READ_TIMEOUT_MS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            if (!login(in, out, user)) {
                return false;
            }
            for (int i = 0; i < transactions; i++) {
                transaction(in, out, workload, i);
            }
            message(out, Frontend.TERMINATE, new byte[0]);
            out.flush();
            return true;
        }
    }

    /** Logs in; false when refused (an ErrorResponse, after which pgrouter closes the connection). */
    private boolean login(DataInputStream in, DataOutputStream out, String user) throws IOException {
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        for (String p : new String[] {"user", user, "database", "pgbench", "application_name", "pgbench"}) {
            params.writeBytes(p.getBytes(StandardCharsets.UTF_8));
            params.write(0);
        }
        params.write(0);
        out.writeInt(params.size() + 8);
        out.writeInt(ProtocolCodes.PROTOCOL_3_0);
        params.writeTo(out);
        out.flush();
        BackendAuthenticator auth = switch (user) {
            case MD5_USER -> new BackendAuthenticator(user, new UserSecret.Plaintext(PASSWORD), null, null);
            case SCRAM_USER -> new BackendAuthenticator(user, scramSecret(), Base64.getDecoder().decode(SCRAM_CLIENT_KEY),
                    null);
            default -> new BackendAuthenticator(user, null, null, null);
        };
        while (true) {
            byte type = in.readByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            if (type == Backend.AUTHENTICATION) {
                answer(out, auth, type, body);
            } else if (type == Backend.ERROR_RESPONSE) {
                refused = new String(body, StandardCharsets.UTF_8).replace('\0', ' ').trim();
                return false;
            } else if (type == Backend.READY_FOR_QUERY) {
                return true;
            }
        }
    }

    private static UserSecret scramSecret() {
        try {
            return UserSecret.of(SCRAM_VERIFIER);
        } catch (ScramVerifier.FormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers an authentication request as pgrouter answers a backend's. */
    private static void answer(DataOutputStream out, BackendAuthenticator auth, byte type, byte[] body)
            throws IOException {
        ByteBuf frame = Unpooled.buffer(body.length + 5).writeByte(type).writeInt(body.length + 4).writeBytes(body);
        try {
            ByteBuf reply = auth.handle(frame, UnpooledByteBufAllocator.DEFAULT);
            if (reply != null) {
                try {
                    out.write(ByteBufUtil.getBytes(reply));
                    out.flush();
                } finally {
                    reply.release();
                }
            }
        } finally {
            frame.release();
        }
    }

    private void transaction(DataInputStream in, DataOutputStream out, Workload workload, int i) throws IOException {
        String select = SELECT + (1 + i * 7919 % 500_000) + ";";
        switch (workload) {
            case SIMPLE -> query(in, out, select);
            case TPCB -> {
                for (String sql : TPCB) {
                    query(in, out, sql);
                }
            }
            case EXTENDED -> {
                parse(out, "", select);
                execute(out, "");
                sync(in, out);
            }
            case PREPARED -> {
                if (i == 0) {
                    parse(out, "P0_1", select);
                }
                execute(out, "P0_1");
                sync(in, out);
            }
        }
    }

    private void query(DataInputStream in, DataOutputStream out, String sql) throws IOException {
        message(out, Frontend.QUERY, cString(sql));
        sync(in, out);
    }

    private static void parse(DataOutputStream out, String name, String sql) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(cString(name));
        body.writeBytes(cString(sql));
        body.write(0);
        body.write(0); // no parameter types
        message(out, Frontend.PARSE, body.toByteArray());
    }

    /** Bind (no parameters, text results), Describe of the portal, Execute, Sync: pgbench's extended round. */
    private static void execute(DataOutputStream out, String statement) throws IOException {
        ByteArrayOutputStream bind = new ByteArrayOutputStream();
        bind.write(0); // unnamed portal
        bind.writeBytes(cString(statement));
        bind.writeBytes(new byte[6]); // no parameter formats, no parameters, no result formats
        message(out, Frontend.BIND, bind.toByteArray());
        message(out, Frontend.DESCRIBE, new byte[] {'P', 0});
        message(out, Frontend.EXECUTE, new byte[5]);
        message(out, Frontend.SYNC, new byte[0]);
    }

    /** Sends what is written and reads up to ReadyForQuery. */
    private void sync(DataInputStream in, DataOutputStream out) throws IOException {
        out.flush();
        while (true) {
            byte type = in.readByte();
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            if (type == Backend.ERROR_RESPONSE) {
                error(body);
            } else if (type == Backend.READY_FOR_QUERY) {
                return;
            }
        }
    }

    private static void message(DataOutputStream out, byte type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }
}
