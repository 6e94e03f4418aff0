package io.pgrouter.metrics.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /metrics}, {@code /health} and {@code /status} with the JDK's HTTP server, on two
 * daemon threads of its own. Every answer is rendered from one immutable cluster snapshot and
 * the lock-free counters core offers, so a scrape never holds up a session.
 */
final class MetricsMonitor implements Monitor {
    private static final Logger log = LoggerFactory.getLogger(MetricsMonitor.class);
    private static final int THREADS = 2;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Endpoint address;
    private final MonitorContext context;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private HttpServer server;
    private ExecutorService executor;

    MetricsMonitor(Endpoint address, MonitorContext context) {
        this.address = address;
        this.context = context;
    }

    @Override
    public void start() throws IOException {
        InetSocketAddress bind = address.isWildcard() ? new InetSocketAddress(address.port())
                : new InetSocketAddress(address.host(), address.port());
        HttpServer s;
        try {
            s = HttpServer.create(bind, 64);
        } catch (IOException e) {
            throw new IOException("cannot listen for metrics on " + address + ": " + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "pgrouter-metrics-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        log.info("metrics listening on {} (/metrics, /health, /status)", address);
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    int localPort() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            drain(exchange.getRequestBody());
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "method not allowed: use GET\n", false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            ClusterSnapshot snapshot = context.cluster().current();
            switch (path) {
                case "/metrics" -> respond(exchange, 200, MetricsText.CONTENT_TYPE,
                        MetricsText.render(snapshot, context.stats(), context.pools(), context.positions()), head);
                case "/health" -> {
                    WriteHealth health = WriteHealth.of(snapshot);
                    respond(exchange, health.writable() ? 200 : 503, TEXT, health.reason() + "\n", head);
                }
                case "/status" -> respond(exchange, 200, "application/json",
                        StatusJson.render(snapshot, context.stats(), context.pools()), head);
                default -> respond(exchange, 404, TEXT, "not found: try /metrics, /health or /status\n", head);
            }
        } catch (RuntimeException e) {
            log.error("metrics request failed", e);
            throw e;
        }
    }

    private static void respond(HttpExchange exchange, int code, String type, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A request body is never used; reading it keeps the connection reusable. */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[1024];
        int budget = 64 * 1024;
        int n;
        while (budget > 0 && (n = in.read(sink)) > 0) {
            budget -= n;
        }
    }

    @Override
    public void close() {
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
