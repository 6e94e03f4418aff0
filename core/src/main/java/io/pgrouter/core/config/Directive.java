package io.pgrouter.core.config;

import java.util.List;

/**
 * One directive of a configuration, whatever its syntax: a name, its values, and an optional
 * block of nested directives. Both pgrouter.conf and TOML files are read into this shape and
 * interpreted by one {@link ConfigBuilder}.
 *
 * @param name the directive's name
 * @param nameLocation {@code file:line:column} of the name
 * @param values the values after the name, each with its location
 * @param block the nested directives, or null when the directive has no block
 */
record Directive(String name, String nameLocation, List<Value> values, List<Directive> block) {
    record Value(String text, String location) {
    }

    boolean hasBlock() {
        return block != null;
    }
}
