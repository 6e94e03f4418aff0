package io.pgrouter.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-node etcd (v3, with its JSON gateway) on free loopback ports, its data in a directory of
 * the caller's, run as the server user. Can be stopped and started again on the same ports and
 * data, as an outage would. Needs the {@code etcd} command (Debian: {@code etcd-server}).
 */
public final class EtcdServer implements AutoCloseable {
    private static final Pattern VALUE = Pattern.compile("\"value\":\"([^\"]+)\"");

    private final Path directory;
    private final boolean ownsDirectory;
    private final int clientPort = LoopbackPorts.free();
    private final int peerPort = LoopbackPorts.free();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private EtcdServer(Path directory, boolean ownsDirectory) {
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
    }

    /** Starts etcd with its data and log in {@code directory} (which the server user can write). */
    static EtcdServer start(Path directory) {
        EtcdServer etcd = new EtcdServer(directory, false);
        etcd.start();
        return etcd;
    }

    /** Starts etcd in a temporary directory of its own, removed by {@link #close()}. */
    public static EtcdServer inTemporaryDirectory() {
        EtcdServer etcd = new EtcdServer(OsUser.newDirectory("pgrouter-etcd-"), true);
        try {
            etcd.start();
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    /** Starts it (again) and waits until it answers. */
    public synchronized void start() {
        if (process != null) {
            throw new IllegalStateException("etcd is running");
        }
        process = Processes.spawn(directory.resolve("etcd.log"), "etcd", "--name", "e1",
                "--data-dir", directory.resolve("etcd").toString(),
                "--listen-client-urls", url(), "--advertise-client-urls", url(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "e1=http://127.0.0.1:" + peerPort);
        PgCluster.await(Duration.ofSeconds(30), () -> {
            try {
                return post("/v3/kv/range", "{\"key\":\"" + base64("x") + "\"}").contains("header");
            } catch (IOException e) {
                return false;
            }
        }, "etcd did not answer on " + url());
    }

    /** Kills it (an outage); {@link #start()} brings it back with its data. */
    public synchronized void stop() {
        Processes.kill(process);
        process = null;
    }

    public String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    public void put(String key, String value) throws IOException {
        post("/v3/kv/put", "{\"key\":\"" + base64(key) + "\",\"value\":\"" + base64(value) + "\"}");
    }

    public void delete(String key) throws IOException {
        post("/v3/kv/deleterange", "{\"key\":\"" + base64(key) + "\"}");
    }

    /** A key's value; empty when absent or when etcd does not answer. */
    public Optional<String> get(String key) {
        try {
            Matcher m = VALUE.matcher(post("/v3/kv/range", "{\"key\":\"" + base64(key) + "\"}"));
            return m.find() ? Optional.of(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private String post(String path, String json) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path))
                    .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(path + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Stops it, and removes its directory when it made it. */
    @Override
    public void close() {
        stop();
        if (ownsDirectory) {
            OsUser.delete(directory);
        }
    }

}
