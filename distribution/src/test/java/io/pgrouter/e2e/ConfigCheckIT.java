package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import io.pgrouter.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code pgrouter -t}: valid configurations pass, broken ones name file:line:column. */
class ConfigCheckIT {
    @TempDir
    Path dir;

    @Test
    void originalSamplePassesWithItsFilesInPlace() throws IOException {
        // The sample names files under /path/to and /var/vcap; -t checks that files exist, so they
        // are moved into a temporary directory, and nothing else of the sample is changed.
        String sample = Files.readString(PgrouterProcess.home().resolve("conf/pgrouter.conf"));
        Files.createDirectories(dir.resolve("path/to"));
        Files.writeString(dir.resolve("path/to/hba"), "host all all 127.0.0.1/32 trust\n");
        // cert and key name the same file: a certificate and its key in one PEM file.
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Files.writeString(dir.resolve("path/to/pem"), Files.readString(pki.serverCertificate())
                + Files.readString(pki.serverKey()));
        Files.createDirectories(dir.resolve("var/vcap/sys/run/pgrouter"));
        String relocated = sample.replace("/path/to/", dir + "/path/to/").replace("/var/vcap/", dir + "/var/vcap/");
        ProcessResult r = check(write("pgrouter.conf", relocated));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("is valid"), r.stdout());
    }

    @Test
    void annotatedExamplePasses() {
        ProcessResult r = check(PgrouterProcess.home().resolve("conf/pgrouter.conf.example"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @Test
    void tomlExamplePasses() {
        ProcessResult r = check(PgrouterProcess.home().resolve("conf/pgrouter.example.toml"));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown directive | listen 127.0.0.1:6432\\nlsiten 127.0.0.1:6432\\n                  | 2:1  | lsiten
            bad size unit     | backend 127.0.0.1:5432 { lag 20xb }\\n                           | 1:30 | 20xb
            missing brace     | health {\\n  timeout 5s\\n                                          | 3:1  | }
            bad address       | backend 127.0.0.1\\n                                                | 1:9  | 127.0.0.1
            unknown pipeline  | pipeline nosuch\\nbackend 127.0.0.1:5432\\n                         | 1:10 | nosuch
            negative weight   | backend 127.0.0.1:5432 { weight -5 }\\n                          | 1:33 | weight must be between 0 and 65535, found -5
            weight overflow   | backend 127.0.0.1:5432 { weight 2147483647 }\\nbackend 127.0.0.2:5432 { weight 2147483647 }\\n | 1:33 | weight must be between 0 and 65535, found 2147483647
            workers abc       | workers abc\\nbackend 127.0.0.1:5432\\n                             | 1:9  | workers must be a whole number from 1 to 1024; 'abc' is not a number
            max_clients zero  | max_clients 0\\nbackend 127.0.0.1:5432\\n                           | 1:13 | max_clients must be between 1 and 1000000, found 0
            zero timeout      | connect_timeout 0\\nbackend 127.0.0.1:5432\\n                       | 1:17 | connect_timeout must be between 1ms and 24h
            backends no topology | backends patroni\\n                                          | 1:10 | in the health block
            members pool_size  | health { topology patroni }\\npatroni { rest http://127.0.0.1:8008 }\\nbackends patroni\\nbackend default { pool_size 0 }\\n | 4:29 | pool_size must be between
            """)
    void brokenConfigsNameFileLineAndColumn(String what, String text, String position, String fragment) throws IOException {
        Path file = write("broken.conf", text.replace("\\n", "\n"));
        ProcessResult r = check(file);
        assertEquals(1, r.exitCode(), what + ": " + r.stdout() + r.stderr());
        String expected = file + ":" + position + ":";
        assertTrue(r.stderr().contains(expected), what + ": expected '" + expected + "' in:\n" + r.stderr());
        assertTrue(r.stderr().contains(fragment), what + ": expected '" + fragment + "' in:\n" + r.stderr());
    }

    @Test
    void bothOverflowingWeightsAreNamed() throws IOException {
        Path file = write("w.conf", "backend 127.0.0.1:5432 { weight 2147483647 }\nbackend 127.0.0.2:5432 { weight 2147483647 }\n");
        ProcessResult r = check(file);
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains(file + ":1:33: weight must be between 0 and 65535"), r.stderr());
        assertTrue(r.stderr().contains(file + ":2:33: weight must be between 0 and 65535"), r.stderr());
    }

    @Test
    void aConfigurationWithoutABackendIsRefusedAtTheFile() throws IOException {
        Path file = write("none.conf", "listen 127.0.0.1:6432\nhealth { username postgres }\n");
        ProcessResult r = check(file);
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        assertEquals("pgrouter: " + file + ": no backend: declare at least one with backend HOST:PORT"
                + " (a configuration without one would refuse every client)", r.stderr().strip());
    }

    @Test
    void eachErrorOfTheUnchangedSampleIsPrintedOnce() throws IOException {
        // As shipped, the sample names placeholder paths: each is reported once, at its line.
        Path sample = PgrouterProcess.home().resolve("conf/pgrouter.conf");
        ProcessResult r = check(sample);
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(lines.size(), lines.stream().distinct().count(), r.stderr());
        assertEquals(1, lines.stream().filter(l -> l.contains("/path/to/hba")).count(), r.stderr());
        assertEquals(1, lines.stream().filter(l -> l.contains("TLS certificate /path/to/pem")).count(), r.stderr());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("pgrouter: " + sample + ":")), r.stderr());
    }

    @Test
    void maxClientsAboveTheDescriptorLimitIsWarnedAbout() throws IOException {
        Path file = write("fd.conf", "max_clients 5000\nbackend 127.0.0.1:5432\nhealth { username postgres }\n");
        // ulimit -n sets the soft and the hard limit, so the JVM cannot raise it past 1024.
        ProcessResult r = PgTools.run(Duration.ofMinutes(1), Map.of(), "sh", "-c",
                "ulimit -n 1024 && exec \"$0\" -t -c \"$1\"", PgrouterProcess.bin("pgrouter").toString(), file.toString());
        assertEquals(0, r.exitCode(), "a warning, not an error: " + r.stdout() + r.stderr());
        assertTrue(r.stderr().contains(file + ":1:13: max_clients 5000 exceeds this process's file-descriptor limit of 1024"),
                r.stderr());
    }

    @Test
    void aReloadWithoutABackendChangesNothing(@TempDir Path run) throws Exception {
        int nobody = PgrouterProcess.freePort(); // nothing listens there: the backend shows as FAILED
        String config = """
                listen 127.0.0.1:${port}
                monitor 127.0.0.1:${monitor}
                health { timeout 1s; check 250ms; username postgres }
                backend 127.0.0.1:%d
                """.formatted(nobody);
        try (PgrouterProcess router = PgrouterProcess.start(run, config)) {
            router.awaitMonitor(Duration.ofSeconds(10), m -> m.contains("127.0.0.1:" + nobody + " "));
            Path file = run.resolve("pgrouter.conf");
            Files.writeString(file, Files.readString(file).replace("backend 127.0.0.1:" + nobody, ""));
            router.signal("HUP");
            Await.until(Duration.ofSeconds(10), "the reload is rejected", () -> router.log().contains("reload rejected"));
            assertTrue(router.log().contains("reload rejected: " + file + ": no backend"), router.log());
            assertTrue(router.monitor().contains("127.0.0.1:" + nobody + " "), "the running backends stay");
            assertTrue(router.isAlive());
            assertEquals(0, router.stop(Duration.ofSeconds(20)));
        }
    }

    @Test
    void unknownPipelineListsTheAvailableOnes() throws IOException {
        ProcessResult r = check(write("p.conf", "pipeline nosuch\nhealth { username postgres }\nbackend 127.0.0.1:5432\n"));
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("unknown pipeline 'nosuch'") && r.stderr().contains("session"), r.stderr());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    static ProcessResult check(Path config) {
        return PgTools.run(Duration.ofMinutes(1), Map.of(), PgrouterProcess.bin("pgrouter").toString(), "-t", "-c",
                config.toString());
    }
}
