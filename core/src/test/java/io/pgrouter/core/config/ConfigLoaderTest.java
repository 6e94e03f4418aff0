package io.pgrouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("/etc/pgrouter/pgrouter.conf");

    @Test
    void originalSampleParsesExactlyAsWritten() throws Exception {
        // The original pgrouter's sample, as written (the shipped conf/pgrouter.conf is the same file).
        Path sample = Path.of(getClass().getResource("/config/seed000.conf").toURI());
        RouterConfig c = ConfigLoader.load(sample);
        assertEquals(new Endpoint("*", 5432), c.listen());
        assertTrue(c.listen().isWildcard());
        assertEquals(new Endpoint("127.0.0.1", 9881), c.monitor());
        assertEquals(64, c.workers());
        assertEquals(Optional.of(Path.of("/path/to/hba")), c.hba());
        TlsConfig tls = c.tls().orElseThrow();
        assertEquals(Optional.of("ALL:!EXP:!LOW"), tls.ciphers());
        assertEquals(Path.of("/path/to/pem"), tls.cert());
        assertEquals(Path.of("/path/to/pem"), tls.key());
        assertEquals(Optional.of("vcap"), c.user());
        assertEquals(Optional.of("vcap"), c.group());
        assertEquals(Optional.of(Path.of("/var/vcap/sys/run/pgrouter/pgrouter.pid")), c.pidfile());
        assertEquals("INFO", c.logLevel());
        assertEquals(Duration.ofSeconds(5), c.health().timeout());
        assertEquals(Duration.ofSeconds(15), c.health().interval());
        assertEquals(Duration.ofMillis(20), c.health().replayCheck(), "the default");
        assertEquals("sql", c.health().method());
        assertEquals(Optional.of("postgres"), c.health().block().string("database"));
        assertEquals(Optional.of("pgtest"), c.health().block().string("username"));
        assertEquals(Optional.of("sekrit squirrel"), c.health().block().string("password"));
        assertEquals(List.of(
                backend("10.0.0.5", TlsMode.SKIPVERIFY, 800, 100),
                backend("10.0.0.6", TlsMode.SKIPVERIFY, 200, 100),
                // The second `backend default { tls off }` turns TLS off for these two only,
                // keeping lag 200 and weight 100 from the first default.
                backend("10.0.0.7", TlsMode.OFF, 500, 125),
                backend("10.0.0.8", TlsMode.OFF, 200, 250)),
                c.backends().stream().map(b -> backend(b.address().host(), b.tls(), b.lagThreshold(), b.weight())).toList());
        assertEquals(sample + ":27:9", c.backends().get(0).location());
        assertEquals("readsplit", c.pipeline(), "readsplit is the default pipeline");
    }

    @Test
    void originalSecondSampleParses() throws Exception {
        RouterConfig c = parse("""
                # pgrouter.conf
                listen *:5432
                authdb /etc/pgrouter/authdb
                log INFO

                # health checking configuration
                health {
                  timeout  3s
                  check    7s
                  database postgres
                  username pgrouter
                  password sekrit
                }

                # backend configuration
                backend default {
                  lag 200
                  weight 100
                }
                backend 10.244.232.2:6432 { }
                backend 10.244.232.3:6432 {
                  lag 50
                  weight 200
                }
                backend 10.244.232.4:6432 { }
                backend 10.244.232.5:6432 { }
                """);
        assertEquals(Optional.of(Path.of("/etc/pgrouter/authdb")), c.authdb());
        assertEquals(Duration.ofSeconds(7), c.health().interval());
        assertEquals(4, c.backends().size());
        assertEquals(50, c.backends().get(1).lagThreshold());
        assertEquals(200, c.backends().get(1).weight());
        assertEquals(TlsMode.OFF, c.backends().get(0).tls());
    }

    @Test
    void workersDefaultToOnePerCpuButOne() throws Exception {
        assertEquals(1, ConfigBuilder.defaultWorkers(1));
        assertEquals(1, ConfigBuilder.defaultWorkers(2));
        assertEquals(7, ConfigBuilder.defaultWorkers(8));
        assertEquals(1024, ConfigBuilder.defaultWorkers(4096));
        assertEquals(ConfigBuilder.defaultWorkers(Runtime.getRuntime().availableProcessors()),
                parse("backend db1.example:5432\n").workers());
    }

    @Test
    void warmUpIsOffUnlessTurnedOn() throws Exception {
        assertEquals(Duration.ZERO, parse("backend 10.0.0.1:5432\n").warmUp());
        assertEquals(RouterConfig.WARM_UP, parse("warm_up on\nbackend 10.0.0.1:5432\n").warmUp());
        assertEquals(Duration.ZERO, parse("warm_up OFF\nbackend 10.0.0.1:5432\n").warmUp());
        assertEquals(Duration.ofMillis(2500), parse("warm_up 2500ms\nbackend 10.0.0.1:5432\n").warmUp());
        assertEquals(Duration.ZERO, ConfigLoader.parse(Path.of("/x.toml"),
                "warm_up = \"off\"\n[[backend]]\naddress = \"10.0.0.1:5432\"\n").warmUp());
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("warm_up maybe\nbackend 10.0.0.1:5432\n"));
        assertEquals(FILE + ":1:9", e.errors().get(0).location());
        assertTrue(e.errors().get(0).problem().contains("on, off or a duration"), e.getMessage());
        ConfigErrors tooLong = assertThrows(ConfigErrors.class, () -> parse("warm_up 11s\nbackend 10.0.0.1:5432\n"));
        assertTrue(tooLong.errors().get(0).problem().contains("up to 10s"), tooLong.getMessage());
    }

    @Test
    void semicolonsAndNewlinesSeparateAlike() throws Exception {
        RouterConfig a = parse("workers 3; log debug; backend db1.example:5432 { lag 1kb; weight 7 }\n");
        RouterConfig b = parse("workers 3\nlog debug\nbackend db1.example:5432 {\n lag 1kb\n weight 7\n}\n");
        assertEquals(a.workers(), b.workers());
        assertEquals("DEBUG", a.logLevel());
        assertEquals(a.backends().get(0).lagThreshold(), b.backends().get(0).lagThreshold());
        assertEquals(1024, a.backends().get(0).lagThreshold());
        assertEquals(new Endpoint("db1.example", 5432), a.backends().get(0).address());
    }

    @Test
    void ipv6LiteralsAndSyslogLevels() throws Exception {
        RouterConfig c = parse("listen [::1]:6432\nlog WARNING\nbackend [fe80::1]:5432\n");
        assertEquals(new Endpoint("::1", 6432), c.listen());
        assertEquals("[::1]:6432", c.listen().toString());
        assertEquals("WARN", c.logLevel());
        assertEquals("fe80::1", c.backends().get(0).address().host());
    }

    @Test
    void relativePathsResolveAgainstTheConfigDirectory() throws Exception {
        RouterConfig c = parse("hba hba.conf\nplugins ../plugins\nbackend 10.0.0.1:5432\n");
        assertEquals(Optional.of(Path.of("/etc/pgrouter/hba.conf")), c.hba());
        assertEquals(Optional.of(Path.of("/etc/plugins")), c.plugins());
    }

    @Test
    void logfileIsAPathBesideTheLevel() throws Exception {
        RouterConfig c = parse("log DEBUG\nlogfile log/pgrouter.log\nbackend 10.0.0.1:5432\n");
        assertEquals("DEBUG", c.logLevel());
        assertEquals(Optional.of(Path.of("/etc/pgrouter/log/pgrouter.log")), c.logfile());
        assertEquals(Optional.empty(), parse("backend 10.0.0.1:5432\n").logfile(), "stderr by default");
        RouterConfig missingDir = parse("logfile /nonexistent-dir/pgrouter.log\nbackend 10.0.0.1:5432\n");
        List<ConfigException> problems = ConfigChecks.filesReadable(missingDir);
        assertTrue(problems.stream().anyMatch(p -> p.getMessage().contains("logfile directory /nonexistent-dir")
                && p.location().equals(FILE + ":1:9")), problems.toString());
    }

    @Test
    void pluginBlocksKeepTheirSettingsAndLocations() throws Exception {
        RouterConfig c = parse("pipeline notice\nnotice {\n  text \"hello there\"\n  level 3\n}\nbackend 10.0.0.1:5432\n");
        var block = c.block("notice");
        assertEquals(Optional.of("hello there"), block.string("text"));
        assertEquals(FILE + ":3:8", block.setting("text").orElseThrow().location());
        assertEquals(FILE + ":2:1", block.location());
        assertEquals(3, block.count("level", 0));
        assertEquals(FILE + ":1:10", c.locationOf("pipeline"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown directive        | listen 127.0.0.1:6432\\nlsiten 127.0.0.1:6432  | 2:1  | unknown directive 'lsiten'
            bad size unit            | backend 127.0.0.1:5432 { lag 20xb }           | 1:30 | bad size unit 'xb'
            bad duration             | health {\\n  check 5 sec\\n}                   | 2:9  | bad duration unit 'sec'
            bad duration unit        | health {\\n  timeout 5d\\n}                    | 2:11 | bad duration unit 'd'
            bad replay_check         | health {\\n  replay_check -1ms\\n}             | 2:16 | health replay_check must be between 0 and 24h
            missing brace            | health {\\n  timeout 5s\\n                     | 3:1  | expected '}' to close the block opened at line 1
            stray brace              | workers 2\\n}                                  | 2:1  | unexpected '}'
            address without port     | backend 127.0.0.1                             | 1:9  | expected HOST:PORT
            port out of range        | backend 127.0.0.1:70000                       | 1:9  | out of range
            unbracketed ipv6         | backend ::1:5432                              | 1:9  | must be in brackets
            bad tls mode             | backend 10.0.0.1:5432 { tls maybe }           | 1:29 | bad tls mode 'maybe'
            unknown backend key      | backend 10.0.0.1:5432 { lagg 5 }              | 1:25 | unknown directive 'lagg'
            duplicate directive      | workers 2\\nworkers 3                          | 2:1  | 'workers' is given twice
            duplicate backend        | backend 10.0.0.1:5432\\nbackend 10.0.0.1:5432  | 2:9  | declared twice
            missing value            | listen                                        | 1:1  | expected a value after 'listen'
            unterminated string      | health { password "abc }                      | 1:19 | unterminated quoted string
            zero workers             | workers 0                                     | 1:9  | workers must be between 1 and 1024
            bad log level            | log LOUD                                      | 1:5  | unknown log level 'LOUD'
            tls without key          | tls { cert a.pem }                            | 1:1  | tls needs both 'cert' and 'key'
            """)
    void errorsNameFileLineAndColumn(String what, String text, String position, String fragment) {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse(text.replace("\\n", "\n")), what);
        ConfigException first = e.errors().get(0);
        assertEquals(FILE + ":" + position, first.location(), what + ": " + first.getMessage());
        assertTrue(first.problem().contains(fragment), what + ": " + first.getMessage());
    }

    /**
     * Every number's error names the directive and the range it accepts, at the value's
     * file:line:column; a value that is not a number is called that, not "too large".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative weight          | backend 10.0.0.1:5432 { weight -5 }                  | 1:32 | weight must be between 0 and 65535, found -5
            weight above 65535       | backend 10.0.0.1:5432 { weight 65536 }               | 1:32 | weight must be between 0 and 65535, found 65536
            weight at int max        | backend 10.0.0.1:5432 { weight 2147483647 }          | 1:32 | weight must be between 0 and 65535, found 2147483647
            weight beyond a long     | backend 10.0.0.1:5432 { weight 99999999999999999999 } | 1:32 | weight must be between 0 and 65535
            weight not a number      | backend 10.0.0.1:5432 { weight heavy }               | 1:32 | weight must be a whole number from 0 to 65535; 'heavy' is not a number
            default weight negative  | backend default { weight -1 }\\nbackend 10.0.0.1:5432  | 1:26 | weight must be between 0 and 65535, found -1
            workers not a number     | workers abc\\nbackend 10.0.0.1:5432                    | 1:9  | workers must be a whole number from 1 to 1024; 'abc' is not a number
            workers fraction         | workers 1.5\\nbackend 10.0.0.1:5432                    | 1:9  | workers must be a whole number from 1 to 1024; '1.5' is not a number
            workers too many         | workers 1025\\nbackend 10.0.0.1:5432                   | 1:9  | workers must be between 1 and 1024, found 1025
            max_clients zero         | max_clients 0\\nbackend 10.0.0.1:5432                  | 1:13 | max_clients must be between 1 and 1000000, found 0
            max_clients not a number | max_clients lots\\nbackend 10.0.0.1:5432               | 1:13 | max_clients must be a whole number from 1 to 1000000; 'lots' is not a number
            max_message_size small   | max_message_size 1b\\nbackend 10.0.0.1:5432            | 1:18 | max_message_size must be between 1kb and 1gb, found 1b
            negative lag             | backend 10.0.0.1:5432 { lag -5 }                     | 1:29 | expected a size from 0b to 8388607tb
            lag beyond a long        | backend 10.0.0.1:5432 { lag 9000000tb }              | 1:29 | is too large (at most 8388607tb)
            zero connect_timeout     | connect_timeout 0\\nbackend 10.0.0.1:5432              | 1:17 | connect_timeout must be between 1ms and 24h, found 0
            long auth timeout        | authentication_timeout 25h\\nbackend 10.0.0.1:5432     | 1:24 | authentication_timeout must be between 1ms and 24h, found 25h
            duration beyond a long   | connect_timeout 9999999999999999h\\nbackend 10.0.0.1:5432 | 1:17 | is too large; connect_timeout must be between 1ms and 24h
            health check zero        | health {\\n  check 0\\n}\\nbackend 10.0.0.1:5432       | 2:9  | health check must be between 1ms and 24h, found 0
            health timeout word      | health {\\n  timeout soon\\n}\\nbackend 10.0.0.1:5432  | 2:11 | expected a duration (e.g. 250ms, 5s, 2m, 1h), found 'soon'; health timeout must be between 1ms and 24h
            replay delay too long    | backend 10.0.0.1:5432 { max_replay_delay 2d }        | 1:42 | bad duration unit 'd'
            """)
    void numbersOutOfRangeSayWhatIsAccepted(String what, String text, String position, String fragment) {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse(text.replace("\\n", "\n")), what);
        assertEquals(1, e.errors().size(), what + ": " + e.errors());
        ConfigException only = e.errors().get(0);
        assertEquals(FILE + ":" + position, only.location(), what + ": " + only.getMessage());
        assertTrue(only.problem().contains(fragment), what + ": " + only.getMessage());
        assertTrue(!only.problem().contains("too large") || fragment.contains("too large"), what + ": " + only.getMessage());
    }

    @Test
    void weightsFromZeroTo65535AreAccepted() throws Exception {
        RouterConfig c = parse("backend 10.0.0.1:5432 { weight 0 }\nbackend 10.0.0.2:5432 { weight 65535 }\n"
                + "backend 10.0.0.3:5432 { weight 65535 }\n");
        assertEquals(List.of(0, 65535, 65535), c.backends().stream().map(BackendConfig::weight).toList());
    }

    @Test
    void aConfigurationWithoutABackendIsRefusedAtTheFile() {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("listen 127.0.0.1:6432\nworkers 2\n"));
        assertEquals(1, e.errors().size(), e.errors().toString());
        assertEquals(FILE.toString(), e.errors().get(0).location());
        assertTrue(e.errors().get(0).problem().startsWith("no backend"), e.getMessage());
        ConfigErrors defaultsOnly = assertThrows(ConfigErrors.class, () -> parse("backend default { weight 5 }\n"));
        assertEquals(FILE.toString(), defaultsOnly.errors().get(0).location(), "defaults declare no backend");
        ConfigErrors empty = assertThrows(ConfigErrors.class, () -> parse(""));
        assertEquals(FILE.toString(), empty.errors().get(0).location());
        ConfigErrors toml = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(Path.of("/x.toml"), "listen = \"127.0.0.1:6432\"\n"));
        assertEquals("/x.toml", toml.errors().get(0).location(), toml.getMessage());
    }

    @Test
    void aRejectedBackendIsNotAlsoReportedAsMissing() {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("backend nope\n"));
        assertEquals(1, e.errors().size(), e.errors().toString());
        assertEquals(FILE + ":1:9", e.errors().get(0).location());
    }

    @Test
    void routableIsTheCheckReloadAppliesToo() throws Exception {
        RouterConfig ok = parse("backend 10.0.0.1:5432\n");
        assertEquals(List.of(), ConfigChecks.routable(ok));
        RouterConfig none = new RouterConfig(ok.source(), ok.listen(), ok.monitor(), ok.workers(), ok.hba(), ok.tls(),
                ok.user(), ok.group(), ok.pidfile(), ok.logLevel(), ok.logfile(), ok.syslog(), ok.health(), List.of(), Optional.empty(), ok.authdb(), ok.pipeline(),
                ok.plugins(), ok.blocks(), ok.limits(), ok.locations(), ok.warmUp());
        List<ConfigException> problems = ConfigChecks.routable(none);
        assertEquals(1, problems.size());
        assertEquals(FILE.toString(), problems.get(0).location());
    }

    @Test
    void tomlNumbersAreCheckedAlike() {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> ConfigLoader.parse(Path.of("/x.toml"),
                "workers = \"abc\"\n[[backend]]\naddress = \"10.0.0.1:5432\"\nweight = -5\n"));
        assertEquals(2, e.errors().size(), e.errors().toString());
        assertEquals("/x.toml:4:1", e.errors().get(0).location(), e.getMessage());
        assertTrue(e.errors().get(0).problem().contains("weight must be between 0 and 65535, found -5"), e.getMessage());
        assertEquals("/x.toml:1:1", e.errors().get(1).location(), e.getMessage());
        assertTrue(e.errors().get(1).problem().contains("'abc' is not a number"), e.getMessage());
    }

    @Test
    void maxBufferedBeyondTheDirectMemoryIsWarnedAboutAndSizesMaxMessageSize() throws Exception {
        RouterConfig c = parse("max_buffered 512mb\nbackend 10.0.0.1:5432\n");
        assertEquals(512L << 20, c.limits().maxBuffered());
        assertEquals(512 << 20, c.limits().maxMessageSize(), "max_message_size defaults to max_buffered");
        String warning = ConfigChecks.bufferWarning(c, 256L << 20).orElseThrow();
        assertTrue(warning.startsWith(FILE + ":1:14: max_buffered 536870912 exceeds the direct memory"), warning);
        assertEquals(Optional.empty(), ConfigChecks.bufferWarning(c, 1L << 30));
        assertEquals(1 << 30, parse("max_buffered 4gb\nbackend 10.0.0.1:5432\n").limits().maxMessageSize(),
                "at most PostgreSQL's 1gb");
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("max_buffered 10kb\nbackend 10.0.0.1:5432\n"));
        assertTrue(e.errors().get(0).problem().contains("max_buffered must be between 1mb and 1tb"), e.getMessage());
    }

    @Test
    void maxClientsBeyondTheDescriptorLimitIsWarnedAbout() throws Exception {
        RouterConfig c = parse("max_clients 5000\nbackend 10.0.0.1:5432\n");
        String warning = ConfigChecks.descriptorWarning(c, 1024).orElseThrow();
        assertTrue(warning.startsWith(FILE + ":1:13: max_clients 5000 exceeds"), warning);
        assertTrue(warning.contains("1024"), warning);
        assertEquals(Optional.empty(), ConfigChecks.descriptorWarning(c, 5000));
        assertEquals(Optional.empty(), ConfigChecks.descriptorWarning(c, 0), "an unknown limit warns of nothing");
    }

    @Test
    void severalErrorsAreReportedInOneRun() {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("lsiten x\nworkers many\nbackend nope\n"));
        assertEquals(3, e.errors().size(), e.errors().toString());
    }

    @Test
    void tomlDescribesTheSameModel() throws Exception {
        String toml = """
                listen = "127.0.0.1:6432"
                workers = 4
                pipeline = "session"
                [health]
                timeout = "2s"
                check = 10
                username = "pgrouter"
                [backend_defaults]
                tls = "skipverify"
                lag = 200
                [[backend]]
                address = "10.0.0.5:6432"
                lag = "800"
                [[backend]]
                address = "10.0.0.6:6432"
                weight = 300
                [notice]
                text = "hi"
                """;
        RouterConfig c = ConfigLoader.parse(Path.of("/etc/pgrouter/pgrouter.toml"), toml);
        assertEquals(4, c.workers());
        assertEquals(Duration.ofSeconds(2), c.health().timeout());
        assertEquals(Duration.ofSeconds(10), c.health().interval());
        assertEquals(List.of(backend("10.0.0.5", TlsMode.SKIPVERIFY, 800, 100), backend("10.0.0.6", TlsMode.SKIPVERIFY, 200, 300)),
                c.backends().stream().map(b -> backend(b.address().host(), b.tls(), b.lagThreshold(), b.weight())).toList());
        assertEquals(Optional.of("hi"), c.block("notice").string("text"));
    }

    @Test
    void tomlErrorsCarryPositions() {
        ConfigErrors syntax = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(Path.of("/x.toml"), "listen = \"a:1\"\nworkers = = 2\n"));
        assertTrue(syntax.errors().get(0).location().startsWith("/x.toml:2:"), syntax.getMessage());
        ConfigErrors value = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(Path.of("/x.toml"), "[[backend]]\naddress = \"10.0.0.1\"\n"));
        assertEquals("/x.toml:2:1", value.errors().get(0).location(), value.getMessage());
    }

    @Test
    void shippedExamplesLoad() throws Exception {
        Path conf = Path.of(System.getProperty("user.dir")).resolveSibling("distribution").resolve("conf");
        for (String name : List.of("pgrouter.conf", "pgrouter.conf.example", "pgrouter.example.toml")) {
            Path file = conf.resolve(name);
            assertTrue(Files.exists(file), file.toString());
            RouterConfig c = ConfigLoader.load(file);
            assertTrue(c.backends().size() >= 3, name);
        }
    }

    @Test
    void syslogTakesAFacilityAndOptionallyWhereItsDaemonListens() throws Exception {
        assertEquals(Optional.empty(), parse("backend 10.0.0.1:5432\n").syslog());
        assertEquals(Optional.of(new SyslogTarget("local0", "127.0.0.1", 514)),
                parse("syslog LOCAL0\nbackend 10.0.0.1:5432\n").syslog());
        assertEquals(Optional.of(new SyslogTarget("daemon", "logs.example.com", 5514)),
                parse("syslog daemon@logs.example.com:5514\nbackend 10.0.0.1:5432\n").syslog());
        assertEquals(Optional.of(new SyslogTarget("user", "::1", 514)),
                parse("syslog user@[::1]\nbackend 10.0.0.1:5432\n").syslog());
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> parse("syslog local9\nbackend 10.0.0.1:5432\n"));
        assertEquals(FILE + ":1:8", e.errors().get(0).location());
        assertTrue(e.errors().get(0).problem().contains("unknown syslog facility 'local9'"), e.getMessage());
        ConfigErrors port = assertThrows(ConfigErrors.class, () -> parse("syslog daemon@h:0\nbackend 10.0.0.1:5432\n"));
        assertTrue(port.errors().get(0).problem().contains("the syslog port must be between 1 and 65535"),
                port.getMessage());
    }

    private static RouterConfig parse(String text) throws ConfigErrors {
        return ConfigLoader.parse(FILE, text);
    }

    private record B(String host, TlsMode tls, long lag, int weight) {
    }

    private static B backend(String host, TlsMode tls, long lag, int weight) {
        return new B(host, tls, lag, weight);
    }
}
