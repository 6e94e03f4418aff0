package io.pgrouter.monitor.text;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The original pgrouter's MONITOR thread: accepts on the monitor address, writes the current state
 * ({@link MonitorText}) and closes.
 *
 * <p>It must never hold pgrouter up, nor let one client hold up the others: the accept thread
 * only renders the text (from an immutable snapshot, no locks) and hands the socket to a small
 * pool of writer threads; a client that does not take its output within the write timeout has
 * its socket closed under it, which ends the blocked write. When all writers are busy and the
 * queue is full, new connections are closed at once rather than queued without bound.
 */
final class TextMonitor implements Monitor {
    private static final Logger log = LoggerFactory.getLogger(TextMonitor.class);
    private static final int WRITERS = 4;
    private static final int QUEUED = 64;

    private final Endpoint address;
    private final MonitorContext context;
    private final Duration writeTimeout;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ThreadPoolExecutor writers = new ThreadPoolExecutor(WRITERS, WRITERS, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUED), daemonThreads("pgrouter-monitor-writer-"));
    private final ScheduledExecutorService watchdog = new ScheduledThreadPoolExecutor(1, daemonThreads("pgrouter-monitor-watchdog-"));
    private volatile ServerSocket server;

    TextMonitor(Endpoint address, MonitorContext context, Duration writeTimeout) {
        this.address = address;
        this.context = context;
        this.writeTimeout = writeTimeout;
        writers.allowCoreThreadTimeOut(true);
    }

    @Override
    public void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(address.isWildcard() ? new InetSocketAddress(address.port())
                    : new InetSocketAddress(address.host(), address.port()));
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen for the monitor on " + address + ": " + e.getMessage(), e);
        }
        server = s;
        Thread accept = daemonThreads("pgrouter-monitor-").newThread(() -> acceptLoop(s));
        accept.start();
        log.info("monitor listening on {}", address);
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    int localPort() {
        return server.getLocalPort();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    log.warn("monitor accept failed: {}", e.getMessage());
                    continue;
                }
                return;
            }
            byte[] text;
            try {
                text = MonitorText.render(context.cluster().current(), context.stats(), context.pools(),
                        context.positions()).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                log.error("rendering the monitor output failed", e);
                closeQuietly(client);
                continue;
            }
            try {
                writers.execute(() -> serve(client, text));
            } catch (RejectedExecutionException e) {
                log.warn("monitor busy: closing connection from {}", client.getRemoteSocketAddress());
                closeQuietly(client);
            }
        }
    }

    private void serve(Socket client, byte[] text) {
        ScheduledFuture<?> cutOff = watchdog.schedule(() -> closeQuietly(client),
                writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try (client) {
            OutputStream out = client.getOutputStream();
            out.write(text);
            out.flush();
            client.shutdownOutput();
            discardWhatTheClientSent(client.getInputStream());
        } catch (SocketException e) {
            log.debug("monitor client {} went away or was cut off: {}", client.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            log.debug("monitor write failed", e);
        } finally {
            cutOff.cancel(false);
        }
    }

    /**
     * Closing a socket with unread input makes the kernel send a reset, which can destroy the
     * output a client has not read yet (an HTTP probe sending a request, for example). Draining
     * what has already arrived avoids that without ever waiting for the client.
     */
    private static void discardWhatTheClientSent(InputStream in) throws IOException {
        byte[] sink = new byte[1024];
        int budget = 64 * 1024;
        int available;
        while (budget > 0 && (available = in.available()) > 0) {
            int n = in.read(sink, 0, Math.min(sink.length, available));
            if (n < 0) {
                return;
            }
            budget -= n;
        }
    }

    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            closeQuietly(s);
        }
        writers.shutdownNow();
        watchdog.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to do with it
        }
    }

    private ThreadFactory daemonThreads(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
