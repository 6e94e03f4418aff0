package io.pgrouter.core.config;

import io.pgrouter.spi.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a TOML configuration into the same {@link Directive}s pgrouter.conf gives, so one
 * builder checks both. The mapping:
 *
 * <pre>
 * listen = "*:5432"                 # any top-level directive, as a string or a number
 * [tls]                             # tls { cert ...; key ... }
 * [health]                          # health { ... }
 * [backend_defaults]                # backend default { ... }, applies to every [[backend]]
 * [[backend]]                       # backend ADDRESS { tls lag max_replay_delay weight ca }
 * address = "10.0.0.5:6432"
 * [NAME]                            # any other table: the block of the plugin NAME
 * </pre>
 */
final class TomlDirectives {
    private TomlDirectives() {
    }

    static List<Directive> read(String text, String file, List<ConfigException> errors) {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            for (TomlParseError e : toml.errors()) {
                errors.add(new ConfigException(location(file, e.position()), e.getMessage()));
            }
            return List.of();
        }
        List<Directive> result = new ArrayList<>();
        // Defaults first: in TOML, table order carries no meaning, so they apply to every backend.
        if (toml.isTable("backend_defaults")) {
            TomlTable t = toml.getTableOrEmpty("backend_defaults");
            String at = location(file, toml.inputPositionOf("backend_defaults"));
            result.add(new Directive("backend", at, List.of(new Directive.Value("default", at)), entries(t, file, errors)));
        }
        for (Map.Entry<String, Object> e : toml.entrySet()) {
            String key = e.getKey();
            String at = location(file, toml.inputPositionOf(key));
            Object value = e.getValue();
            if (key.equals("backend_defaults")) {
                continue;
            }
            if (key.equals("backend") && value instanceof TomlArray array) {
                for (int i = 0; i < array.size(); i++) {
                    backend(array, i, file, errors, result);
                }
            } else if (value instanceof TomlTable table) {
                result.add(new Directive(key, at, List.of(), entries(table, file, errors)));
            } else if (value instanceof TomlArray || value instanceof Map) {
                errors.add(new ConfigException(at, "'" + key + "' must be a single value"));
            } else {
                result.add(new Directive(key, at, List.of(new Directive.Value(String.valueOf(value), at)), null));
            }
        }
        return result;
    }

    private static void backend(TomlArray array, int i, String file, List<ConfigException> errors, List<Directive> out) {
        if (!(array.get(i) instanceof TomlTable t)) {
            errors.add(new ConfigException(location(file, array.inputPositionOf(i)), "[[backend]] entries must be tables"));
            return;
        }
        String at = location(file, array.inputPositionOf(i));
        String address = t.getString("address");
        if (address == null) {
            errors.add(new ConfigException(at, "[[backend]] needs address = \"HOST:PORT\""));
            return;
        }
        String addressAt = location(file, t.inputPositionOf("address"));
        List<Directive> block = new ArrayList<>();
        for (Directive d : entries(t, file, errors)) {
            if (!d.name().equals("address")) {
                block.add(d);
            }
        }
        out.add(new Directive("backend", at, List.of(new Directive.Value(address, addressAt)), block));
    }

    /** A table's keys as value directives; nested tables are reported as blocks for the builder to judge. */
    private static List<Directive> entries(TomlTable table, String file, List<ConfigException> errors) {
        List<Directive> result = new ArrayList<>();
        for (Map.Entry<String, Object> e : table.entrySet()) {
            String at = location(file, table.inputPositionOf(e.getKey()));
            Object v = e.getValue();
            if (v instanceof TomlTable nested) {
                result.add(new Directive(e.getKey(), at, List.of(), entries(nested, file, errors)));
            } else if (v instanceof TomlArray) {
                errors.add(new ConfigException(at, "'" + e.getKey() + "' must be a single value"));
            } else {
                result.add(new Directive(e.getKey(), at, List.of(new Directive.Value(String.valueOf(v), at)), null));
            }
        }
        return result;
    }

    private static String location(String file, TomlPosition p) {
        return p == null ? file : file + ":" + p.line() + ":" + p.column();
    }
}
