package io.pgrouter.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.ConfigErrors;
import io.pgrouter.core.config.ConfigLoader;
import io.pgrouter.core.config.RouterConfig;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool settings as both configuration formats give them: the pool block, and a backend's own. */
class PoolConfigTest {
    private static final Endpoint A = new Endpoint("10.0.0.5", 5432);
    private static final Endpoint B = new Endpoint("10.0.0.6", 5432);

    private static PoolConfig pools(String file, String text, List<ConfigException> problems) throws ConfigErrors {
        RouterConfig c = ConfigLoader.parse(Path.of(file), text);
        return PoolConfig.from(c.block(PoolSettings.BLOCK), c.backends(), problems);
    }

    @Test
    void theDefaultsArePgBouncersWhereItHasTheSetting() throws Exception {
        List<ConfigException> problems = new ArrayList<>();
        PoolSettings s = pools("/p.conf", "backend 10.0.0.5:5432\n", problems).forBackend(A);
        assertEquals(List.of(), problems);
        assertEquals(20, s.poolSize());
        assertEquals(0, s.minPoolSize());
        assertEquals(Duration.ofSeconds(30), s.serverCheckDelay());
        assertEquals("", s.serverCheckQuery(), "the empty query: the cheapest round trip");
    }

    @Test
    void aBackendBlockSetsItsOwnPoolOverThePoolBlock() throws Exception {
        List<ConfigException> problems = new ArrayList<>();
        PoolConfig p = pools("/p.conf", """
                pool { pool_size 30; min_pool_size 2; server_check_delay 10s; server_check_query select 1 }
                backend 10.0.0.5:5432 { pool_size 5; server_check_query "select 2" }
                backend 10.0.0.6:5432
                """, problems);
        assertEquals(List.of(), problems);
        PoolSettings a = p.forBackend(A);
        assertEquals(5, a.poolSize());
        assertEquals(2, a.minPoolSize(), "what the backend does not set is the pool block's");
        assertEquals(Duration.ofSeconds(10), a.serverCheckDelay());
        assertEquals("select 2", a.serverCheckQuery());
        PoolSettings b = p.forBackend(B);
        assertEquals(30, b.poolSize());
        assertEquals("select 1", b.serverCheckQuery());
    }

    @Test
    void tomlBackendsSetTheirOwnPoolAlike() throws Exception {
        List<ConfigException> problems = new ArrayList<>();
        PoolConfig p = pools("/p.toml", """
                [pool]
                pool_size = 30
                [backend_defaults]
                min_pool_size = 3
                [[backend]]
                address = "10.0.0.5:5432"
                pool_size = 5
                [[backend]]
                address = "10.0.0.6:5432"
                """, problems);
        assertEquals(List.of(), problems);
        assertEquals(5, p.forBackend(A).poolSize());
        assertEquals(3, p.forBackend(A).minPoolSize(), "backend_defaults apply to every backend");
        assertEquals(30, p.forBackend(B).poolSize());
        assertEquals(3, p.forBackend(B).minPoolSize());
    }

    @Test
    void aBadBackendPoolSettingIsReportedWhereItIsWritten() throws Exception {
        List<ConfigException> problems = new ArrayList<>();
        pools("/p.conf", "backend 10.0.0.5:5432 {\n  pool_size 0\n}\n", problems);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("/p.conf:2:13", problems.get(0).location());
        assertTrue(problems.get(0).problem().contains("pool_size must be between 1 and 1000000, found 0"),
                problems.get(0).problem());

        problems.clear();
        pools("/p.toml", "[[backend]]\naddress = \"10.0.0.5:5432\"\nmin_pool_size = -1\n", problems);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("/p.toml:3:1", problems.get(0).location());
    }

    @Test
    void anUnknownBackendSettingIsStillAnError() {
        ConfigErrors e = assertThrows(ConfigErrors.class,
                () -> ConfigLoader.parse(Path.of("/p.conf"), "backend 10.0.0.5:5432 { pool_sise 5 }\n"));
        assertEquals("/p.conf:1:25", e.errors().get(0).location(), e.getMessage());
        assertTrue(e.errors().get(0).problem().contains("pool_size"), "lists the accepted keys: " + e.getMessage());
    }

    @Test
    void minPoolSizeIsCappedAtPoolSize() {
        PoolSettings s = new PoolSettings(5, 0, Duration.ZERO, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, 9,
                Duration.ZERO, "");
        assertEquals(5, s.keptConnections());
    }
}
