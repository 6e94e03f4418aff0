package io.pgrouter.health.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.health.HealthCheckFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SqlHealthCheckFactoryTest {
    private static PluginConfig block(String... keyValues) {
        Map<String, Setting> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], new Setting(keyValues[i + 1], "pgrouter.conf:" + (10 + i) + ":5"));
        }
        return new PluginConfig("health", "pgrouter.conf:9:1", m);
    }

    @Test
    void isFoundAsTheSqlServiceProvider() {
        assertTrue(ServiceLoader.load(HealthCheckFactory.class).stream()
                .anyMatch(p -> p.get().name().equals("sql")));
    }

    @Test
    void usernameIsRequiredAndReportedAtTheBlock() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new SqlHealthCheckFactory().create(block("database", "postgres")));
        assertEquals("pgrouter.conf:9:1", e.location());
        assertTrue(e.problem().contains("username"));
    }

    @Test
    void unknownKeyIsRejectedAtItsLocation() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new SqlHealthCheckFactory().create(block("username", "u", "databse", "x")));
        assertEquals("pgrouter.conf:12:5", e.location());
        assertTrue(e.problem().contains("databse"));
    }

    @Test
    void acceptsCoreKeysAlongsideItsOwn() {
        try (var check = new SqlHealthCheckFactory().create(block("timeout", "5s", "check", "15s",
                "method", "sql", "database", "app", "username", "pgtest", "password", "sekrit squirrel"))) {
            assertTrue(check instanceof SqlHealthCheck);
        }
    }

    @Test
    void tlsModesMapToPgjdbcSslModes() {
        SqlHealthSettings s = new SqlHealthSettings("postgres", "u", Optional.of("p w"));
        assertEquals("disable", s.properties(TlsMode.OFF, Optional.empty(), Duration.ofSeconds(5)).getProperty("sslmode"));
        Properties verify = s.properties(TlsMode.VERIFY, Optional.empty(), Duration.ofSeconds(5));
        assertEquals("verify-full", verify.getProperty("sslmode"));
        assertEquals("org.postgresql.ssl.DefaultJavaSSLFactory", verify.getProperty("sslfactory"), "the JVM's CAs");
        Properties withCa = s.properties(TlsMode.VERIFY, Optional.of(Path.of("/etc/ca.pem")), Duration.ofSeconds(5));
        assertEquals("/etc/ca.pem", withCa.getProperty("sslrootcert"));
        assertFalse(withCa.containsKey("sslfactory"));
        Properties skip = s.properties(TlsMode.SKIPVERIFY, Optional.empty(), Duration.ofSeconds(5));
        assertEquals("require", skip.getProperty("sslmode"));
        assertEquals("org.postgresql.ssl.NonValidatingFactory", skip.getProperty("sslfactory"));
        assertFalse(s.properties(TlsMode.OFF, Optional.empty(), Duration.ofSeconds(5)).containsKey("sslfactory"));
    }

    @Test
    void timeoutsAreWholeSecondsRoundedUpAndCredentialsSet() {
        SqlHealthSettings s = new SqlHealthSettings("postgres", "pgtest", Optional.of("sekrit squirrel"));
        Properties p = s.properties(TlsMode.OFF, Optional.empty(), Duration.ofMillis(1500));
        assertEquals("2", p.getProperty("connectTimeout"));
        assertEquals("2", p.getProperty("socketTimeout"));
        assertEquals("2", p.getProperty("loginTimeout"));
        assertEquals("1", s.properties(TlsMode.OFF, Optional.empty(), Duration.ofMillis(200)).getProperty("connectTimeout"));
        assertEquals("pgtest", p.getProperty("user"));
        assertEquals("sekrit squirrel", p.getProperty("password"));
        assertEquals("pgrouter-health", p.getProperty("ApplicationName"));
        assertFalse(new SqlHealthSettings("db", "u", Optional.empty()).properties(TlsMode.OFF, Optional.empty(), Duration.ofSeconds(1))
                .containsKey("password"));
    }

    @Test
    void urlBracketsIpv6Hosts() {
        SqlHealthSettings s = new SqlHealthSettings("app", "u", Optional.empty());
        assertEquals("jdbc:postgresql://[::1]:5433/app", s.url(Endpoint.parse("[::1]:5433")));
        assertEquals("jdbc:postgresql://db1:5432/app", s.url(Endpoint.parse("db1:5432")));
    }
}
