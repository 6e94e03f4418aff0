package io.pgrouter.core.admin;

import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code admin { }} block: the Unix domain socket of the admin channel, who besides root
 * and pgrouter's own user may use it, and how long a shutdown (SIGTERM) waits for busy sessions.
 *
 * <pre>
 * admin {
 *   socket /run/pgrouter/admin.sock
 *   users alice bob          # optional: more users allowed
 *   groups pgadmin           # optional: members of these groups allowed
 *   shutdown_timeout 30s     # optional: SIGTERM's grace period
 * }
 * </pre>
 *
 * @param socket where the socket is created; empty without an {@code admin} block (no admin channel)
 * @param users users allowed besides root and pgrouter's own user
 * @param groups groups whose members are allowed
 * @param shutdownTimeout how long SIGTERM's smart shutdown waits for busy sessions before it ends them
 */
public record AdminSettings(Optional<Path> socket, List<String> users, List<String> groups, Duration shutdownTimeout) {
    /** The block's name in pgrouter.conf. */
    public static final String BLOCK = "admin";

    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    public static final AdminSettings NONE = new AdminSettings(Optional.empty(), List.of(), List.of(),
            DEFAULT_SHUTDOWN_TIMEOUT);

    /** A Unix socket path must fit sun_path (108 bytes with its terminating NUL on Linux). */
    static final int MAX_PATH_BYTES = 107;

    private static final Set<String> KEYS = Set.of("socket", "users", "groups", "shutdown_timeout");

    public AdminSettings {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    /**
     * Reads the block; a relative socket path is taken from the configuration file's directory.
     * Without a {@code socket} there is no admin channel.
     *
     * @throws ConfigException naming the file, line and column of the bad setting
     */
    public static AdminSettings from(PluginConfig block, Path configDir) {
        block.allowOnly(KEYS);
        Duration shutdownTimeout = block.duration("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT);
        if (shutdownTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException(block.setting("shutdown_timeout").orElseThrow().location(),
                    "shutdown_timeout must be between 0 and 24h");
        }
        List<String> users = names(block, "users");
        List<String> groups = names(block, "groups");
        Optional<Setting> given = block.setting("socket");
        if (given.isEmpty()) {
            if (!users.isEmpty() || !groups.isEmpty()) {
                throw new ConfigException(block.location(), "'users' and 'groups' need 'socket PATH' in the admin block");
            }
            return new AdminSettings(Optional.empty(), List.of(), List.of(), shutdownTimeout);
        }
        Setting socket = given.get();
        Path path = configDir.resolve(socket.value()).normalize();
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new ConfigException(socket.location(), "admin socket path " + path + " is too long for a Unix socket ("
                    + MAX_PATH_BYTES + " bytes at most)");
        }
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ConfigException(socket.location(), "the directory of the admin socket " + path
                    + " does not exist");
        }
        return new AdminSettings(Optional.of(path), users, groups, shutdownTimeout);
    }

    /** Whether anyone besides root and pgrouter's user may connect: the socket is then open to all (0666). */
    public boolean sharedWithOthers() {
        return !users.isEmpty() || !groups.isEmpty();
    }

    private static List<String> names(PluginConfig block, String key) {
        return block.string(key)
                .map(v -> Arrays.stream(v.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }
}
