package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigMonitorAddressTest {
    /** The original pgrouter's example configuration, verbatim. */
    private static final String SEED_CONF = """
            # pgrouter.conf
            listen *:5432
            monitor 127.0.0.1:9881
            workers 64
            hba /path/to/hba
            tls {
            ciphers ALL:!EXP:!LOW
            cert /path/to/pem
            key /path/to/pem
            }
            user vcap
            group vcap
            pidfile /var/vcap/sys/run/pgrouter/pgrouter.pid
            log INFO
            health {
            timeout 5s
            check 15s
            database postgres
            username pgtest
            password "sekrit squirrel"
            }
            backend default {
            tls skipverify;
            lag 200
            weight 100
            }
            backend 10.0.0.5:6432 { lag 800; }
            backend 10.0.0.6:6432
            backend default { tls off }
            backend 10.0.0.7:6432 { weight 125; lag 500b }
            backend 10.0.0.8:6432 { weight 250 }
            """;

    @Test
    void readsTheSeedConfig() {
        assertEquals(Optional.of("127.0.0.1:9881"), ConfigMonitorAddress.fromConf(SEED_CONF));
    }

    @Test
    void ignoresCommentsBlocksAndNonLeadingWords() {
        String conf = "# monitor 1.1.1.1:1\nmyplugin { monitor 2.2.2.2:2 }\nlog monitor\nworkers 2; monitor \"10.1.1.1:7000\" # here\n";
        assertEquals(Optional.of("10.1.1.1:7000"), ConfigMonitorAddress.fromConf(conf));
        assertEquals(Optional.empty(), ConfigMonitorAddress.fromConf("listen *:5432\n"));
    }

    @Test
    void readsTomlTopLevelKeyOnly() {
        assertEquals(Optional.of("127.0.0.1:9999"),
                ConfigMonitorAddress.fromToml("listen = \"*:5432\"\nmonitor = \"127.0.0.1:9999\"  # x\n[health]\n"));
        assertEquals(Optional.empty(), ConfigMonitorAddress.fromToml("[plugin]\nmonitor = \"1.1.1.1:1\"\n"));
    }

    @Test
    void fileWithoutTheDirectiveGivesTheDefault(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("pgrouter.conf"), "workers 2\n");
        assertEquals("127.0.0.1:9881", ConfigMonitorAddress.read(conf));
        Path toml = Files.writeString(dir.resolve("pgrouter.toml"), "monitor = \"[::1]:9000\"\n");
        assertEquals("[::1]:9000", ConfigMonitorAddress.read(toml));
    }
}
