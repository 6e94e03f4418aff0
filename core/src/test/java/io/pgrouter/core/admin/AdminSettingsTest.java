package io.pgrouter.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminSettingsTest {
    @TempDir
    Path dir;

    private static PluginConfig block(String... keyValues) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], new Setting(keyValues[i + 1], "pgrouter.conf:" + (i / 2 + 2) + ":10"));
        }
        return new PluginConfig("admin", "pgrouter.conf:1:1", settings);
    }

    @Test
    void noBlockNoChannel() {
        AdminSettings none = AdminSettings.from(PluginConfig.empty("admin"), dir);
        assertEquals(Optional.empty(), none.socket());
        assertEquals(AdminSettings.DEFAULT_SHUTDOWN_TIMEOUT, none.shutdownTimeout());
    }

    @Test
    void readsTheSocketAndWhoElseMayUseIt() throws Exception {
        java.nio.file.Files.createDirectory(dir.resolve("run"));
        AdminSettings s = AdminSettings.from(block("socket", "run/admin.sock", "users", "alice, bob", "groups", "ops",
                "shutdown_timeout", "10s"), dir);
        assertEquals(Optional.of(dir.resolve("run/admin.sock")), s.socket());
        assertEquals(List.of("alice", "bob"), s.users());
        assertEquals(List.of("ops"), s.groups());
        assertEquals(Duration.ofSeconds(10), s.shutdownTimeout());
        assertTrue(s.sharedWithOthers());
        assertFalse(AdminSettings.from(block("socket", dir.resolve("a.sock").toString()), dir).sharedWithOthers());
    }

    @Test
    void mistakesArePlacedInTheFile() {
        assertEquals("pgrouter.conf:2:10: the directory of the admin socket " + dir.resolve("nope/admin.sock")
                + " does not exist", assertThrows(ConfigException.class,
                        () -> AdminSettings.from(block("socket", "nope/admin.sock"), dir)).getMessage());
        String longName = "x".repeat(120);
        assertTrue(assertThrows(ConfigException.class, () -> AdminSettings.from(block("socket", longName), dir))
                .getMessage().contains("is too long for a Unix socket (107 bytes at most)"));
        assertEquals("pgrouter.conf:1:1: 'users' and 'groups' need 'socket PATH' in the admin block",
                assertThrows(ConfigException.class, () -> AdminSettings.from(block("users", "alice"), dir)).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> AdminSettings.from(block("sokcet", "a"), dir))
                .getMessage().contains("unknown directive 'sokcet' in block 'admin'"));
    }
}
