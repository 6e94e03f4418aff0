package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import io.pgrouter.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    void seedSamplePassesWithItsFilesInPlace() throws IOException {
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
