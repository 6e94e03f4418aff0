package io.pgrouter.metrics.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks output with independent parsers: the Prometheus project's own Python client
 * (Debian's python3-prometheus-client, which .ci/run installs) for the exposition format, and
 * Python's json module for /status. Each prints what it parsed in a flat line form the tests
 * compare against.
 */
final class Python {
    /**
     * One line per family, {@code # family NAME TYPE}, then one per sample, {@code NAME{k="v",...} VALUE},
     * labels sorted and their values JSON-quoted (which escapes as the exposition format does),
     * the value as Python's float repr.
     */
    private static final String EXPOSITION = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                print('# family %s %s' % (f.name, f.type))
                print('# help %s %s' % (f.name, json.dumps(f.documentation, ensure_ascii=False)))
                for s in f.samples:
                    labels = ','.join('%s=%s' % (k, json.dumps(v, ensure_ascii=False)) for k, v in sorted(s.labels.items()))
                    print('%s{%s} %r' % (s.name, labels, s.value))
            """;

    /** One line per scalar, {@code path=JSON}, paths joined with dots, list items by index. */
    private static final String JSON = """
            import sys, json
            def walk(path, v):
                if isinstance(v, dict):
                    for k, x in v.items():
                        walk(path + [k], x)
                elif isinstance(v, list):
                    print('%s=#%d' % ('.'.join(path), len(v)))
                    for i, x in enumerate(v):
                        walk(path + [str(i)], x)
                else:
                    print('%s=%s' % ('.'.join(path), json.dumps(v, ensure_ascii=False)))
            walk([], json.loads(sys.stdin.read()))
            """;

    private static String interpreter;

    private Python() {
    }

    /** What the exposition parser read: families ({@code # family ...} lines) and samples in order. */
    static List<String> parseExposition(String text) {
        return run(EXPOSITION, text).lines().toList();
    }

    /** Samples as {@code NAME{labels}} to value, from {@link #parseExposition}. */
    static Map<String, Double> samples(List<String> parsed) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : parsed) {
            if (!line.startsWith("# ")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** JSON parsed and flattened to {@code path} to JSON scalar (or {@code #N} for a list of N). */
    static Map<String, String> parseJson(String json) {
        Map<String, String> flat = new LinkedHashMap<>();
        for (String line : run(JSON, json).lines().toList()) {
            int eq = line.indexOf('=');
            flat.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return flat;
    }

    private static String run(String script, String input) {
        try {
            Process p = new ProcessBuilder(interpreter(), "-c", script).redirectErrorStream(false).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("python did not finish within 60s");
            }
            assertEquals(0, p.exitValue(), () -> "the parser rejected the input:\n"
                    + new String(err, StandardCharsets.UTF_8) + "\ninput:\n" + input);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run python", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Debian's package installs for the system Python, /usr/bin/python3; a python3 earlier on the
     * PATH (pyenv, a virtualenv) may not see it, so that one is tried first.
     */
    private static synchronized String interpreter() {
        if (interpreter == null) {
            for (String candidate : List.of("/usr/bin/python3", "python3")) {
                try {
                    Process p = new ProcessBuilder(candidate, "-c", "import prometheus_client")
                            .redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        interpreter = candidate;
                        return interpreter;
                    }
                } catch (IOException | InterruptedException notThisOne) {
                    // try the next
                }
            }
            fail("these tests parse the output with the Prometheus Python client: install Debian's "
                    + "python3-prometheus-client (apt-get install python3-prometheus-client; .ci/run does)");
        }
        return interpreter;
    }
}
