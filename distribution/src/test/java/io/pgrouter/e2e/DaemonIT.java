package io.pgrouter.e2e;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgTools;
import io.pgrouter.testkit.ProcessResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * {@code bin/pgrouter} without {@code -F}: the launcher detaches pgrouter and returns once it
 * serves (or fails with pgrouter's error), the pidfile is locked and removed, the log goes to
 * {@code logfile}, and started as root with {@code user nobody} pgrouter runs as nobody. And the
 * launcher's startup cache in {@code PGROUTER_CACHE_DIR}: on JDK 17 a class data sharing archive (a
 * start records the classes, the next archives them in the background, the one after maps the
 * archive), on JDK 25 and later an AOT cache (a start records, its stop writes the cache, the next
 * start takes it; a daemon that fails to start leaves nothing), each step checked on the JVM's own
 * command line and by a query through the pgrouter it started.
 */
class DaemonIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static PgCluster cluster;

    @TempDir
    Path dir;

    /** Daemons this test started, killed after each test if still there. */
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
    void startReturnsOnceServingLocksThePidfileAndATermRemovesIt() throws Exception {
        int port = PgrouterProcess.freePort();
        Path config = config(dir, port, "");
        Path pidfile = dir.resolve("pgrouter.pid");
        Path logfile = dir.resolve("pgrouter.log");

        ProcessResult start = pgrouter("-c", config.toString());
        assertEquals(0, start.exitCode(), start.stdout() + start.stderr());
        long pid = Long.parseLong(Files.readString(pidfile).trim());
        daemons.add(pid);
        assertEquals("1", query(port, "select 1"), "serving as soon as the launcher returned");
        assertEquals(String.valueOf(pid), stat(pid, 6), "detached: a session of its own");
        assertTrue(Files.readString(logfile).contains("serving on 127.0.0.1:" + port + " (pid " + pid + ")"),
                Files.readString(logfile));
        assertEquals("", start.stderr(), "nothing on the terminal when all is well");

        ProcessResult second = pgrouter("-c", config.toString());
        assertEquals(1, second.exitCode(), second.stdout() + second.stderr());
        assertTrue(second.stderr().contains("pgrouter is already running (pid " + pid + ")"), second.stderr());
        assertTrue(second.stderr().contains("pidfile " + pidfile + " is locked"), second.stderr());
        assertEquals(pid + "\n", Files.readString(pidfile), "the first one's pidfile is untouched");
        assertEquals("1", query(port, "select 1"), "and it still serves");

        // logrotate: move the file away, SIGUSR1, and the log goes on in a new file.
        Path rotated = dir.resolve("pgrouter.log.1");
        Files.move(logfile, rotated);
        signal("USR1", pid);
        Await.until(Duration.ofSeconds(10), "a new log file after SIGUSR1",
                () -> Files.exists(logfile) && Files.readString(logfile).contains("log file reopened"));

        signal("TERM", pid);
        Await.until(Duration.ofSeconds(20), "pgrouter gone after SIGTERM", () -> ProcessHandle.of(pid).isEmpty());
        assertFalse(Files.exists(pidfile), "pidfile removed on a clean exit");
        assertTrue(Files.readString(logfile).contains("pgrouter stopped"), Files.readString(logfile));
        assertFalse(Files.readString(rotated).contains("pgrouter stopped"), "nothing more in the rotated file");
    }

    @Test
    void aBadConfigurationOrATakenPortFailsTheStartWithPgroutersError() throws Exception {
        int port = PgrouterProcess.freePort();
        Path bad = config(dir, port, "max_clients abc\n");
        ProcessResult r = pgrouter("-c", bad.toString());
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains(bad + ":"), r.stderr());
        assertTrue(r.stderr().contains("max_clients must be a whole number"), r.stderr());
        assertFalse(Files.exists(dir.resolve("pgrouter.pid")));

        Path good = config(dir, port, "");
        try (ServerSocket taken = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            ProcessResult busy = pgrouter("-c", good.toString());
            assertEquals(1, busy.exitCode(), busy.stdout() + busy.stderr());
            assertTrue(busy.stderr().contains("Address already in use"), busy.stderr());
            assertFalse(busy.stderr().contains("\tat "), "one line, no stack trace:\n" + busy.stderr());
        }
        assertFalse(Files.exists(dir.resolve("pgrouter.pid")), "a failed start leaves no pidfile");

        Path noLog = dir.resolve("nolog.conf");
        Files.writeString(noLog, Files.readString(good).replaceAll("(?m)^logfile .*$", ""));
        ProcessResult quiet = pgrouter("-c", noLog.toString());
        assertEquals(1, quiet.exitCode(), quiet.stdout() + quiet.stderr());
        assertTrue(quiet.stderr().contains("needs 'logfile FILE'"), quiet.stderr());
    }

    @Test
    void startedAsRootWithUserNobodyItRunsAsNobodyAndServesOnAPrivilegedPort() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can switch users");
        // nobody reads the configuration and writes the pidfile and the log: a directory it may use.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = freePrivilegedPort();
        Path config = config(run, port, "user nobody\n");

        ProcessResult start = pgrouter("-c", config.toString());
        assertEquals(0, start.exitCode(), start.stdout() + start.stderr());
        long pid = Long.parseLong(Files.readString(run.resolve("pgrouter.pid")).trim());
        daemons.add(pid);
        String nobodyUid = PgTools.run(Duration.ofSeconds(10), Map.of(), "id", "-u", "nobody").stdout().trim();
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertTrue(status.contains("\nUid:\t" + nobodyUid + "\t" + nobodyUid + "\t" + nobodyUid + "\t" + nobodyUid),
                status);
        assertTrue(status.contains("\nCapEff:\t0000000000000400\n"), "CAP_NET_BIND_SERVICE only:\n" + status);
        assertEquals("1", query(port, "select 1"), "serving on port " + port);

        signal("TERM", pid);
        Await.until(Duration.ofSeconds(20), "pgrouter gone after SIGTERM", () -> ProcessHandle.of(pid).isEmpty());
        assertFalse(Files.exists(run.resolve("pgrouter.pid")), "nobody removed its pidfile");
    }

    @Test
    void inTheForegroundAsRootWithUserNobodyItRunsAsNobodyToo() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can switch users");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = PgrouterProcess.freePort();
        Path config = config(run, port, "user nobody\n");
        Process p = new ProcessBuilder(PgrouterProcess.bin("pgrouter").toString(), "-F", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(run.resolve("stderr").toFile()).start();
        daemons.add(p.pid());
        try {
            Await.until(START, "pgrouter serving in the foreground",
                    () -> Files.exists(run.resolve("pgrouter.pid")) || !p.isAlive());
            assertTrue(p.isAlive(), Files.readString(run.resolve("stderr")));
            assertEquals(String.valueOf(p.pid()), Files.readString(run.resolve("pgrouter.pid")).trim(),
                    "the launcher execs: the process started is pgrouter");
            String status = Files.readString(Path.of("/proc/" + p.pid() + "/status"));
            assertFalse(status.contains("\nUid:\t0\t"), status);
            Await.until(Duration.ofSeconds(30), "serving", () -> "1".equals(query(port, "select 1")));
        } finally {
            p.destroy();
            p.waitFor();
        }
        assertEquals(0, p.exitValue(), Files.readString(run.resolve("stderr")));
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
        ProcessResult failed = pgrouter(env, "-c", broken.toString());
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
        Path config = config(dir, port, "");
        ProcessResult start = pgrouter(env, "-c", config.toString());
        assertEquals(0, start.exitCode(), start.stdout() + start.stderr());
        assertEquals("", start.stderr(), "nothing on the terminal when all is well");
        long pid = Long.parseLong(Files.readString(dir.resolve("pgrouter.pid")).trim());
        daemons.add(pid);
        String commandLine = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertEquals("1", query(port, "select 1"));
        signal("TERM", pid);
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

    private static List<String> names(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** A session-pipeline config for the cluster with a pidfile and a logfile in {@code dir}. */
    private static Path config(Path dir, int port, String extra) throws IOException {
        String text = Configs.forCluster(cluster, "session", extra
                + "pidfile " + dir.resolve("pgrouter.pid") + "\n"
                + "logfile " + dir.resolve("pgrouter.log") + "\n")
                .replace("${port}", String.valueOf(port))
                .replace("${monitor}", String.valueOf(PgrouterProcess.freePort()));
        Path config = dir.resolve("pgrouter-" + port + ".conf");
        Files.writeString(config, text);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        return config;
    }

    private static ProcessResult pgrouter(String... args) {
        return pgrouter(Map.of(), args);
    }

    private static ProcessResult pgrouter(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(PgrouterProcess.bin("pgrouter").toString());
        command.addAll(List.of(args));
        return PgTools.run(START, env, command.toArray(String[]::new));
    }

    private static String query(int port, String sql) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?socketTimeout=30";
        try (Connection c = DriverManager.getConnection(url, cluster.superuser(), "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void signal(String name, long pid) {
        ProcessResult r = PgTools.run(Duration.ofSeconds(10), Map.of(), "kill", "-" + name, String.valueOf(pid));
        assertEquals(0, r.exitCode(), r.stderr());
    }

    /** Field {@code n} (1-based, as in proc(5)) of /proc/PID/stat. */
    private static String stat(long pid, int n) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterName = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return afterName[n - 3];
    }

    /** A port below 1024 that nothing listens on, which only CAP_NET_BIND_SERVICE may bind. */
    private static int freePrivilegedPort() {
        for (int port = 1000; port > 600; port--) {
            try (ServerSocket s = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IllegalStateException("no free port between 600 and 1000");
    }
}
