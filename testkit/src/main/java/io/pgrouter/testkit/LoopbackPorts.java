package io.pgrouter.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free TCP ports for the servers tests start on loopback (PostgreSQL, etcd, pgrouter).
 *
 * <p>Not the OS's pick ({@code bind} to port 0): that comes from the ephemeral range, the same one
 * every outgoing connection takes its local port from, so between the pick and the server's bind
 * a client connection (pgbench opening hundreds) could take it, and the server would not start.
 * These come from below that range (Linux's starts at 32768), in turn from a random start, so
 * that ports handed out in this JVM never repeat and two test JVMs rarely meet; each is checked
 * free by binding it first.
 */
public final class LoopbackPorts {
    private static final int FIRST = 20000;
    private static final int LAST = 32000;
    private static final AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(LAST - FIRST));

    private LoopbackPorts() {
    }

    /** A port free now on loopback; another process may still take it before the caller binds it, rarely. */
    public static int free() {
        for (int tried = 0; tried < LAST - FIRST; tried++) {
            int port = FIRST + Math.floorMod(next.getAndIncrement(), LAST - FIRST);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port between " + FIRST + " and " + LAST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
