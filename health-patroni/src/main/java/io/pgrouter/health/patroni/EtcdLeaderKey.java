package io.pgrouter.health.patroni;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patroni's leader key in etcd v3, through etcd's JSON gateway: read with
 * {@code POST /v3/kv/range}, watched with {@code POST /v3/watch} (a stream of one JSON object per
 * line). Keys and values travel base64-encoded. No client library: two endpoints of a stable
 * gateway do not justify grpc and its dependencies.
 */
final class EtcdLeaderKey implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdLeaderKey.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Endpoints endpoints;
    private final HttpClient http;
    private final String key;
    private volatile boolean closed;
    private volatile InputStream stream;
    private Thread watcher;

    EtcdLeaderKey(Endpoints endpoints, HttpClient http, String key) {
        this.endpoints = endpoints;
        this.http = http;
        this.key = key;
    }

    /** The leader's member name; empty when no member holds the key. */
    Optional<String> read(Duration timeout) throws IOException, InterruptedException {
        String request = "{\"key\":\"" + base64(key) + "\"}";
        String body = endpoints.fetch(base -> post(base, "/v3/kv/range", request), timeout);
        return leaderOf(body);
    }

    static Optional<String> leaderOf(String rangeAnswer) throws IOException {
        Map<String, Object> root = Json.object(Json.parse(rangeAnswer), "etcd range");
        Object kvs = root.get("kvs");
        if (kvs == null) {
            return Optional.empty();
        }
        List<?> list = Json.array(kvs, "etcd range kvs");
        if (list.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> value = Json.string(Json.object(list.get(0), "etcd kv"), "value");
        return value.map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
    }

    /**
     * Calls {@code listener} on every change of the key, after every (re)connection of the watch
     * (a change may have been missed meanwhile), and once when a watch that was connected is lost
     * (so that the watcher sees etcd gone at once, not at its next round), until closed. Runs on a
     * daemon thread.
     */
    synchronized void watch(Runnable listener) {
        if (watcher != null) {
            throw new IllegalStateException("already watching");
        }
        watcher = new Thread(() -> watchLoop(listener), "pgrouter-etcd-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watchLoop(Runnable listener) {
        String request = "{\"create_request\":{\"key\":\"" + base64(key) + "\"}}";
        int next = 0;
        boolean connected = false;
        while (!closed) {
            URI base = endpoints.bases().get(next++ % endpoints.bases().size());
            try {
                HttpResponse<InputStream> response = http.send(post(base, "/v3/watch", request).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                stream = response.body();
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode());
                }
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while (!closed && (line = lines.readLine()) != null) {
                        if (line.contains("\"events\"") || line.contains("\"created\"")) {
                            connected = true;
                            listener.run();
                        }
                    }
                }
                log.debug("etcd watch on {} ended; reconnecting", base);
            } catch (IOException e) {
                if (!closed) {
                    log.debug("etcd watch on {} failed: {}", base, e.toString());
                }
            } catch (InterruptedException e) {
                return;
            }
            if (connected && !closed) {
                connected = false;
                listener.run();
            }
            try {
                Thread.sleep(RETRY.toMillis()); // a pause between reconnections, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static HttpRequest.Builder post(URI base, String path, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void close() {
        closed = true;
        InputStream s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing to end the watch; nothing to report
            }
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
