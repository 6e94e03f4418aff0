package io.pgrouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code backends NAME}: the backends are a topology source's members. */
class BackendDiscoveryTest {
    private static final Path FILE = Path.of("/etc/pgrouter/pgrouter.conf");
    private static final Endpoint N1 = new Endpoint("10.0.0.1", 5432);
    private static final Endpoint N2 = new Endpoint("10.0.0.2", 5432);
    private static final Endpoint N3 = new Endpoint("10.0.0.3", 5432);

    private static RouterConfig parse(String text) throws ConfigErrors {
        return ConfigLoader.parse(FILE, text);
    }

    @Test
    void withoutBackendLinesMembersTakeTheDefaultsInForceAtTheEndOfTheFile() throws Exception {
        RouterConfig c = parse("""
                health { topology patroni }
                backend default { lag 1kb; weight 7 }
                backend default { tls skipverify; pool_size 3 }
                backends patroni
                """);
        assertEquals(List.of(), c.backends());
        assertEquals(List.of(), ConfigChecks.routable(c), "discovery routes without backend lines");
        BackendDiscovery d = c.discovery().orElseThrow();
        assertEquals("patroni", d.source());
        assertEquals(FILE + ":4:10", d.location());
        List<BackendConfig> members = d.backends(List.of(N2, N1), c.backends());
        assertEquals(List.of(N2, N1), members.stream().map(BackendConfig::address).toList(), "the members' order");
        BackendConfig b = members.get(0);
        assertEquals(TlsMode.SKIPVERIFY, b.tls());
        assertEquals(1024, b.lagThreshold());
        assertEquals(7, b.weight());
        assertEquals(Optional.of("3"), b.pool().string("pool_size"));
        assertTrue(b.location().startsWith(FILE + ":4:10"), b.location());
    }

    @Test
    void aBackendLineSetsItsMembersSettingsAndAddsNoBackend() throws Exception {
        RouterConfig c = parse("""
                health { topology patroni }
                backends patroni
                backend 10.0.0.3:5432 { weight 0 }
                backend 10.0.0.9:5432
                """);
        List<BackendConfig> members = c.discovery().orElseThrow().backends(List.of(N1, N3, N3), c.backends());
        assertEquals(List.of(N1, N3), members.stream().map(BackendConfig::address).toList());
        assertEquals(100, members.get(0).weight());
        assertEquals(0, members.get(1).weight());
        assertEquals(FILE + ":3:9", members.get(1).location());
    }

    @Test
    void theTomlFormTakesBackendDefaults() throws Exception {
        RouterConfig c = ConfigLoader.parse(Path.of("/x.toml"), """
                backends = "patroni"
                [health]
                topology = "patroni"
                [backend_defaults]
                weight = 9
                """);
        assertEquals(9, c.discovery().orElseThrow().backends(List.of(N1), c.backends()).get(0).weight());
    }

    @Test
    void backendsNeedsTheTopologySourceOfThatName() {
        ConfigErrors none = assertThrows(ConfigErrors.class, () -> parse("backends patroni\n"));
        assertEquals(1, none.errors().size(), none.errors().toString());
        assertEquals(FILE + ":1:10", none.errors().get(0).location());
        assertTrue(none.errors().get(0).problem().contains("needs 'topology patroni' in the health block"),
                none.getMessage());
        ConfigErrors other = assertThrows(ConfigErrors.class,
                () -> parse("health { topology consul }\nbackends patroni\nbackend 10.0.0.1:5432\n"));
        assertTrue(other.errors().get(0).problem().endsWith("(it says 'topology consul')"), other.getMessage());
    }
}
