package io.pgrouter.health.sql;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The health block's credentials, and how they become a pgjdbc URL and connection properties.
 *
 * @param database database to connect to
 * @param username role to connect as
 * @param password its password, when the server asks for one
 */
record SqlHealthSettings(String database, String username, Optional<String> password) {
    static final String APPLICATION_NAME = "pgrouter-health";

    SqlHealthSettings {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** {@code jdbc:postgresql://host:port/database}; IPv6 hosts come bracketed from Endpoint. */
    String url(Endpoint backend) {
        return "jdbc:postgresql://" + backend + "/" + database;
    }

    /**
     * Connection properties for one backend. pgjdbc's timeouts are whole seconds, so the probe
     * timeout is rounded up (at least 1s); the watcher abandons a probe at the exact timeout
     * anyway, these only make sure the connection does not hang on past it for long.
     */
    Properties properties(TlsMode tls, Optional<Path> trustedCa, Duration timeout) {
        Properties p = new Properties();
        p.setProperty("user", username);
        password.ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", APPLICATION_NAME);
        String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
        p.setProperty("connectTimeout", seconds);
        p.setProperty("loginTimeout", seconds);
        p.setProperty("socketTimeout", seconds);
        switch (tls) {
            case OFF -> p.setProperty("sslmode", "disable");
            case VERIFY -> {
                p.setProperty("sslmode", "verify-full");
                // pgjdbc's own default is ~/.postgresql/root.crt; pgrouter's is the CA file or,
                // like the data path, the JVM's trust store.
                trustedCa.ifPresentOrElse(ca -> p.setProperty("sslrootcert", ca.toString()),
                        () -> p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory"));
            }
            case SKIPVERIFY -> {
                p.setProperty("sslmode", "require");
                p.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
            }
        }
        return p;
    }
}
