package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party pipeline, built as its own modular jar (module test-plugin), dropped into a
 * plugins directory and selected by name: traffic goes through it.
 */
class DropInPluginIT {
    @TempDir
    Path dir;

    @Test
    void aJarInThePluginsDirectoryAddsAPipeline() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(testPluginJar(), plugins.resolve("notice-plugin.jar"));
        try (PgCluster cluster = PgCluster.start(0)) {
            String config = Configs.forCluster(cluster, "notice",
                    "plugins " + plugins + "\nnotice { text \"hello from a drop-in plugin\" }\n");
            try (PgrouterProcess router = PgrouterProcess.start(dir, config);
                    Connection c = DriverManager.getConnection(router.jdbcUrl("postgres"), cluster.superuser(), "");
                    Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("select 41 + 1")) {
                    assertTrue(rs.next());
                    assertEquals(42, rs.getInt(1));
                }
                SQLWarning warning = s.getWarnings();
                assertNotNull(warning, "the plugin's notice must reach the client");
                assertEquals("hello from a drop-in plugin", warning.getMessage());
            }
        }
    }

    @Test
    void withoutTheJarThePipelineIsUnknown() throws IOException {
        Path config = Files.writeString(dir.resolve("p.conf"),
                "pipeline notice\nhealth { username postgres }\nbackend 127.0.0.1:5432\n");
        ProcessResult r = ConfigCheckIT.check(config);
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("unknown pipeline 'notice'"), r.stderr());
    }

    @Test
    void aPluginThatDoesNotResolveIsAnErrorNotASilentSkip() throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        // The same module twice: the module system refuses to resolve the directory.
        Files.copy(testPluginJar(), plugins.resolve("a.jar"));
        Files.copy(testPluginJar(), plugins.resolve("b.jar"));
        Path config = Files.writeString(dir.resolve("p.conf"),
                "plugins " + plugins + "\npipeline notice\nhealth { username postgres }\nbackend 127.0.0.1:5432\n");
        ProcessResult r = ConfigCheckIT.check(config);
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("cannot load plugin jars") && r.stderr().contains("io.pgrouter.test.plugin"),
                r.stderr());
    }

    private static Path testPluginJar() throws IOException {
        Path dir = Path.of(System.getProperty("pgrouter.testPlugins"));
        try (Stream<Path> jars = Files.list(dir)) {
            return jars.filter(p -> p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no test plugin jar in " + dir));
        }
    }
}
