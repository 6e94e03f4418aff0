package io.pgrouter.health.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PatroniTopologySourceFactoryTest {
    private static PluginConfig block(String... keyValues) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], new Setting(keyValues[i + 1], "pgrouter.conf:" + (10 + i / 2) + ":5"));
        }
        return new PluginConfig("patroni", "pgrouter.conf:9:1", settings);
    }

    @Test
    void readsEndpointsScopeNamespaceAndGrace() {
        PatroniSettings s = PatroniTopologySourceFactory.settings(block("rest", "http://10.0.0.1:8008, http://10.0.0.2:8008/",
                "etcd", "http://10.0.0.1:2379", "scope", "batman", "namespace", "/db/", "dcs_grace", "4s"));
        assertEquals(List.of(URI.create("http://10.0.0.1:8008"), URI.create("http://10.0.0.2:8008")), s.rest());
        assertEquals(Optional.of("/db/batman/leader"), s.leaderKey());
        assertEquals(Duration.ofSeconds(4), s.grace());
    }

    @Test
    void defaultsToPatronisNamespaceAndATenSecondGrace() {
        PatroniSettings s = PatroniTopologySourceFactory.settings(block("rest", "http://h:8008", "etcd", "http://h:2379",
                "scope", "batman"));
        assertEquals(Optional.of("/service/batman/leader"), s.leaderKey());
        assertEquals(Duration.ofSeconds(10), s.grace());
        PatroniSettings restOnly = PatroniTopologySourceFactory.settings(block("rest", "http://h:8008"));
        assertEquals(Optional.empty(), restOnly.leaderKey());
    }

    @Test
    void badBlocksAreErrorsAtTheirLocation() {
        ConfigException missing = assertThrows(ConfigException.class, () -> PatroniTopologySourceFactory.settings(block()));
        assertTrue(missing.getMessage().contains("'rest' is required"), missing.getMessage());
        ConfigException scheme = assertThrows(ConfigException.class,
                () -> PatroniTopologySourceFactory.settings(block("rest", "10.0.0.1:8008")));
        assertTrue(scheme.getMessage().contains("pgrouter.conf:10:5") && scheme.getMessage().contains("http://HOST:PORT"),
                scheme.getMessage());
        ConfigException noScope = assertThrows(ConfigException.class,
                () -> PatroniTopologySourceFactory.settings(block("rest", "http://h:8008", "etcd", "http://h:2379")));
        assertTrue(noScope.getMessage().contains("needs 'scope'"), noScope.getMessage());
        ConfigException typo = assertThrows(ConfigException.class,
                () -> PatroniTopologySourceFactory.settings(block("rest", "http://h:8008", "dcs_grase", "5s")));
        assertTrue(typo.getMessage().contains("dcs_grase"), typo.getMessage());
    }
}
