package io.pgrouter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern TOML_MONITOR = Pattern.compile("\\s*monitor\\s*=\\s*[\"']([^\"']*)[\"']\\s*(#.*)?");

    private ConfigMonitorAddress() {
    }

    static String read(Path config) throws IOException {
        String text = Files.readString(config);
        Optional<String> found = config.getFileName().toString().endsWith(".toml") ? fromToml(text) : fromConf(text);
        return found.orElse(DEFAULT);
    }

    static Optional<String> fromToml(String text) {
        for (String line : text.lines().toList()) {
            if (line.strip().startsWith("[")) {
                return Optional.empty(); // past the top-level keys
            }
            Matcher m = TOML_MONITOR.matcher(line);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromConf(String text) {
        int depth = 0;
        boolean statementStart = true;
        boolean expectValue = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\n' || c == ';') {
                statementStart = true;
                expectValue = false;
                i++;
            } else if (c == '{' || c == '}') {
                depth += c == '{' ? 1 : -1;
                statementStart = true;
                expectValue = false;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                int start = i;
                String word;
                if (c == '"') {
                    int end = text.indexOf('"', i + 1);
                    end = end < 0 ? text.length() : end;
                    word = text.substring(i + 1, end);
                    i = Math.min(text.length(), end + 1);
                } else {
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i))
                            && "#;{}\"".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    word = text.substring(start, i);
                }
                if (expectValue) {
                    return Optional.of(word);
                }
                expectValue = depth == 0 && statementStart && word.equals("monitor");
                statementStart = false;
            }
        }
        return Optional.empty();
    }
}
