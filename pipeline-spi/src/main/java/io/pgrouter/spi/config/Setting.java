package io.pgrouter.spi.config;

import java.util.Objects;

/**
 * One value of a plugin's configuration block, with where it was written so that a plugin can
 * report a bad value at its file, line and column.
 *
 * @param value the value as written, quotes removed
 * @param location {@code file:line:column} of the value
 */
public record Setting(String value, String location) {
    public Setting {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(location, "location");
    }
}
