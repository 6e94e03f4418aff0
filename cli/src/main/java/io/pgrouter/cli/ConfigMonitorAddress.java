package io.pgrouter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the {@code monitor HOST:PORT} directive in a pgrouter configuration file, without the
 * full config loader: the cli stays a small, fast tool with no dependency on core (which brings
 * Netty), and it must work on a config that core would reject for unrelated reasons. Only the
 * top-level {@code monitor} directive is read: comments ({@code #}), quotes, {@code ;} separators
 * and {@code { }} blocks are honoured so that a {@code monitor} word inside a block or a comment
 * is not mistaken for it. For {@code *.toml}, the top-level {@code monitor = "HOST:PORT"} key.
 */
final class ConfigMonitorAddress {
    /** The default of the {@code monitor} directive. */
    static final String DEFAULT = "127.0.0.1:9881";

    private ConfigMonitorAddress() {
    }

    static String read(Path config) throws IOException {
        String text = Files.readString(config);
        Optional<String> found = config.getFileName().toString().endsWith(".toml") ? fromToml(text) : fromConf(text);
        return found.orElse(DEFAULT);
    }

    static Optional<String> fromToml(String text) {
        return ConfigSetting.fromToml(text, null, "monitor");
    }

    static Optional<String> fromConf(String text) {
        return ConfigSetting.fromConf(text, null, "monitor");
    }
}
