package io.pgrouter.core.config;

import io.pgrouter.spi.config.ConfigException;
import java.util.List;

/** Every problem found in a configuration, each with its file:line:column. */
public final class ConfigErrors extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigException> errors;

    public ConfigErrors(List<ConfigException> errors) {
        super(errors.isEmpty() ? "no errors" : errors.get(0).getMessage()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigException> errors() {
        return errors;
    }
}
