package io.pgrouter.core.config;

import io.pgrouter.spi.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads a configuration file: {@code *.toml} as TOML, anything else as pgrouter.conf. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * Reads, parses and checks a configuration.
     *
     * @throws ConfigErrors every problem found, each with file:line:column
     */
    public static RouterConfig load(Path file) throws ConfigErrors {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigErrors(List.of(new ConfigException(file.toString(), "cannot read the configuration: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage())));
        }
        return parse(file, text);
    }

    /** Parses configuration text as if read from {@code file} (whose extension picks the syntax). */
    public static RouterConfig parse(Path file, String text) throws ConfigErrors {
        List<ConfigException> errors = new ArrayList<>();
        List<Directive> directives = file.getFileName().toString().endsWith(".toml")
                ? TomlDirectives.read(text, file.toString(), errors)
                : ConfigParser.parse(text, file.toString(), errors);
        RouterConfig config = ConfigBuilder.build(file, directives, errors);
        if (!errors.isEmpty()) {
            throw new ConfigErrors(errors);
        }
        return config;
    }
}
