package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * pgrouter's metrics plugin as a test reads it: {@code GET} on its port, {@code /metrics} read
 * back by the Prometheus Python client's parser (Debian's python3-prometheus-client, which .ci/run
 * installs), so that a test checks what Prometheus itself would see.
 */
final class MetricsEndpoint {
    /** One line per sample: {@code NAME{k="v",...} VALUE}, labels sorted, values JSON-quoted. */
    private static final String PARSE = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                for s in f.samples:
                    labels = ','.join('%s=%s' % (k, json.dumps(v, ensure_ascii=False)) for k, v in sorted(s.labels.items()))
                    print('%s{%s} %r' % (s.name, labels, s.value))
            """;

    private final int port;

    MetricsEndpoint(int port) {
        this.port = port;
    }

    record Response(int code, String body) {
    }

    /** GET /metrics, parsed by the Prometheus client: sample key ({@link #key}) to value. */
    Map<String, Double> scrape() throws IOException {
        Response r = get("/metrics");
        assertEquals(200, r.code(), r.body());
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : python(PARSE, r.body()).lines().toList()) {
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** A sample's key with a {@code backend} label first and more label pairs, in the parser's (sorted) order. */
    static String key(String name, String backend, String... more) {
        String[] labels = new String[more.length + 2];
        labels[0] = "backend";
        labels[1] = backend;
        System.arraycopy(more, 0, labels, 2, more.length);
        return key(name, labels);
    }

    /** A sample's key: label pairs in sorted order. */
    static String key(String name, String[] labels) {
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            b.append(i > 0 ? "," : "").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    Response get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        int code = c.getResponseCode();
        try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new Response(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    /** Runs a script on the input with the Python that has prometheus_client (Debian's, first). */
    static String python(String script, String input) throws IOException {
        for (String interpreter : List.of("/usr/bin/python3", "python3")) {
            Process p;
            try {
                p = new ProcessBuilder(interpreter, "-c", script).start();
            } catch (IOException notThere) {
                continue;
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("python did not finish");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (p.exitValue() == 0) {
                return out;
            }
            if (!err.contains("No module named 'prometheus_client'")) {
                throw new AssertionError("the parser rejected the input:\n" + err + "\ninput:\n" + input);
            }
        }
        throw new AssertionError("no python3 with prometheus_client: install Debian's python3-prometheus-client"
                + " (.ci/run does)");
    }
}
