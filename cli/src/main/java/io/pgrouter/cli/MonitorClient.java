package io.pgrouter.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Reads the monitor port: connect, read until pgrouter closes, all within a deadline. */
final class MonitorClient {
    /** The monitor output is a few lines per backend; anything far bigger is not pgrouter. */
    private static final int MAX_BYTES = 4 * 1024 * 1024;

    private MonitorClient() {
    }

    static String fetch(HostPort monitor, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(monitor.host(), monitor.port()), millis);
            s.setSoTimeout(millis);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + timeout.toNanos();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BYTES) {
                    throw new IOException("answer larger than " + MAX_BYTES + " bytes: not a pgrouter monitor?");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("no complete answer within " + timeout.toMillis() + "ms");
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
