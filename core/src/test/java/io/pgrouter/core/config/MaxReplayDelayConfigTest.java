package io.pgrouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code max_replay_delay}: a per-backend duration, like {@code lag}, defaulted by {@code backend default}. */
class MaxReplayDelayConfigTest {
    private static final Path FILE = Path.of("/etc/pgrouter/pgrouter.conf");

    private static List<Duration> delays(RouterConfig c) {
        return c.backends().stream().map(BackendConfig::maxReplayDelay).toList();
    }

    @Test
    void absentMeansNoTimeLimit() throws Exception {
        RouterConfig c = ConfigLoader.parse(FILE, "backend 10.0.0.1:5432\n");
        assertEquals(List.of(Duration.ZERO), delays(c));
    }

    @Test
    void backendDefaultAppliesToLaterBackendsAndABackendOverridesIt() throws Exception {
        RouterConfig c = ConfigLoader.parse(FILE, """
                backend 10.0.0.1:5432 { }
                backend default { max_replay_delay 30s; lag 1mb }
                backend 10.0.0.2:5432 { }
                backend 10.0.0.3:5432 { max_replay_delay 500ms }
                backend 10.0.0.4:5432 { max_replay_delay 0 }
                """);
        assertEquals(List.of(Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ZERO), delays(c));
        assertEquals(1 << 20, c.backends().get(1).lagThreshold(), "the other defaults still apply");
    }

    @Test
    void tomlTakesItInBackendDefaultsAndBackends() throws Exception {
        RouterConfig c = ConfigLoader.parse(Path.of("/etc/pgrouter/pgrouter.toml"), """
                [backend_defaults]
                max_replay_delay = "2m"
                [[backend]]
                address = "10.0.0.5:6432"
                [[backend]]
                address = "10.0.0.6:6432"
                max_replay_delay = "10s"
                """);
        assertEquals(List.of(Duration.ofMinutes(2), Duration.ofSeconds(10)), delays(c));
    }

    @Test
    void aBadValueIsReportedAtItsFileLineAndColumn() {
        ConfigErrors e = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(FILE, "backend 10.0.0.1:5432 {\n  max_replay_delay 5d\n}\n"));
        ConfigException first = e.errors().get(0);
        assertEquals(FILE + ":2:20", first.location(), first.getMessage());
        assertTrue(first.problem().contains("bad duration unit 'd'"), first.getMessage());

        ConfigErrors negative = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(FILE, "backend default { max_replay_delay -1s }\n"));
        assertEquals(FILE + ":1:36", negative.errors().get(0).location(), negative.getMessage());
    }

    @Test
    void aTomlBadValueIsReportedAtItsPosition() {
        ConfigErrors e = assertThrows(ConfigErrors.class, () -> ConfigLoader.parse(Path.of("/x.toml"),
                "[[backend]]\naddress = \"10.0.0.1:5432\"\nmax_replay_delay = \"soon\"\n"));
        assertEquals("/x.toml:3:1", e.errors().get(0).location(), e.getMessage());
    }
}
