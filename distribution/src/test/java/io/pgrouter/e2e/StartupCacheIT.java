package io.pgrouter.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrouter.testkit.Await;
import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's startup cache in {@code PGROUTER_CACHE_DIR}: on JDK 17 a class data sharing
 * archive (a start records the classes, the next archives them in the background, the one after
 * maps the archive), on JDK 25 and later an AOT cache (a start records, its stop writes the
 * cache, the next start takes it; a daemon that fails to start leaves nothing). Each step checked on the JVM's own command line and by a
 * query through the pgrouter it started.
 */
class StartupCacheIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static PgCluster cluster;

    @TempDir
    Path dir;

    private final List<Long> daemons = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = PgCluster.start(0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void killLeftovers() {
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void onJdk17AStartRecordsTheNextArchivesAndTheOneAfterMapsTheArchive() throws Exception {
        assumeTrue(Runtime.version().feature() < 25, "this JVM is a JDK 25 or later");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Map<String, String> env = env(cache, Optional.of(Path.of(System.getProperty("java.home"))));

        String first = startServeStop(env);
        assertTrue(first.contains("-XX:DumpLoadedClassList=" + cache), first);
        assertTrue(names(cache).stream().anyMatch(n -> n.contains(".classlist.")), names(cache).toString());

        String second = startServeStop(env);
        assertFalse(second.contains("-XX:SharedArchiveFile"), "the archive is made beside it, not used yet: " + second);
        Await.until(Duration.ofSeconds(60), "the archive written in the background",
                () -> names(cache).stream().anyMatch(n -> n.endsWith(".jsa")));

        String third = startServeStop(env);
        assertTrue(third.contains("-XX:SharedArchiveFile=" + cache), third);
        assertFalse(names(cache).stream().anyMatch(n -> n.contains(".classlist.")),
                "the class lists go once the archive is there: " + names(cache));
    }

    @Test
    void onJdk25AStartRecordsItsStopWritesTheAotCacheAndTheNextStartUsesIt() throws Exception {
        Optional<Path> jdk = jdk(25);
        assumeTrue(jdk.isPresent(), "no JDK 25 or later under /usr/lib/jvm");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Map<String, String> env = env(cache, jdk);

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "listen 127.0.0.1:" + PgrouterProcess.freePort() + "\npipeline nosuchpipeline\n");
        ProcessResult failed = PgTools.run(START, env, PgrouterProcess.bin("pgrouter").toString(), "-c", broken.toString());
        assertEquals(1, failed.exitCode(), failed.stdout() + failed.stderr());
        assertEquals(List.of(), names(cache), "a start that served nothing leaves no recording to become the cache");

        String first = startServeStop(env);
        Matcher recording = Pattern.compile("-XX:AOTCacheOutput=(\\S+)").matcher(first);
        assertTrue(recording.find(), first);
        Path recorded = Path.of(recording.group(1));
        assertTrue(Files.size(recorded) > 0, "written when the recording JVM stopped: " + names(cache));
        assertFalse(Files.exists(Path.of(recorded + ".config")), "and complete: " + names(cache));

        String second = startServeStop(env);
        Matcher using = Pattern.compile("-XX:AOTCache=(\\S+\\.aot)(\\s|$)").matcher(second);
        assertTrue(using.find(), second);
        assertTrue(Files.exists(Path.of(using.group(1))), names(cache).toString());
        assertFalse(Files.exists(recorded), "the recording became the cache: " + names(cache));
        assertFalse(second.contains("AOTCacheOutput"), "no second recording: " + second);
    }

    /** Starts the daemon, checks it serves, stops it with SIGTERM; returns its JVM's command line. */
    private String startServeStop(Map<String, String> env) throws Exception {
        int port = PgrouterProcess.freePort();
        Path config = config(port);
        ProcessResult start = PgTools.run(START, env, PgrouterProcess.bin("pgrouter").toString(), "-c", config.toString());
        assertEquals(0, start.exitCode(), start.stdout() + start.stderr());
        assertEquals("", start.stderr(), "nothing on the terminal when all is well");
        long pid = Long.parseLong(Files.readString(dir.resolve("pgrouter.pid")).trim());
        daemons.add(pid);
        String commandLine = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertEquals("1", query(port));
        ProcessResult term = PgTools.run(Duration.ofSeconds(10), Map.of(), "kill", "-TERM", String.valueOf(pid));
        assertEquals(0, term.exitCode(), term.stderr());
        Await.until(Duration.ofSeconds(60), "pgrouter gone after SIGTERM", () -> ProcessHandle.of(pid).isEmpty());
        return commandLine;
    }

    private static Map<String, String> env(Path cache, Optional<Path> javaHome) {
        Map<String, String> env = new HashMap<>();
        env.put("PGROUTER_CACHE_DIR", cache.toString());
        env.put("PGROUTER_CDS", "on");
        javaHome.ifPresent(home -> env.put("JAVA_HOME", home.toString()));
        return env;
    }

    /** A JDK of at least this major version under /usr/lib/jvm, by its release file. */
    private static Optional<Path> jdk(int major) throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        Pattern version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> {
                        try {
                            Matcher m = version.matcher(Files.readString(home.resolve("release")));
                            return m.find() && Integer.parseInt(m.group(1)) >= major;
                        } catch (IOException | RuntimeException unreadable) {
                            return false;
                        }
                    })
                    .sorted()
                    .findFirst();
        }
    }

    private Path config(int port) throws IOException {
        String text = Configs.forCluster(cluster, "session", "pidfile " + dir.resolve("pgrouter.pid") + "\n"
                        + "logfile " + dir.resolve("pgrouter.log") + "\n")
                .replace("${port}", String.valueOf(port))
                .replace("${monitor}", String.valueOf(PgrouterProcess.freePort()));
        Path config = dir.resolve("pgrouter.conf");
        Files.writeString(config, text);
        return config;
    }

    private static List<String> names(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String query(int port) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?socketTimeout=30";
        try (Connection c = DriverManager.getConnection(url, cluster.superuser(), "");
                ResultSet rs = c.createStatement().executeQuery("select 1")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
