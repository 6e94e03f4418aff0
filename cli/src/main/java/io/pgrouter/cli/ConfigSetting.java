package io.pgrouter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds one setting in a pgrouter configuration file without the full config loader: the cli
 * stays a small, fast tool with no dependency on core (which brings Netty), and it must work on
 * a config that core would reject for unrelated reasons. A setting is a top-level directive
 * ({@code monitor}) or a directive of a top-level block ({@code socket} in {@code admin { }}):
 * comments ({@code #}), quotes, {@code ;} separators and {@code { }} blocks are honoured so that
 * the same word elsewhere is not mistaken for it. In {@code *.toml}, the top-level key, or the
 * key of the table named after the block.
 */
final class ConfigSetting {
    private ConfigSetting() {
    }

    /** The setting's value in the file, either syntax; {@code block} null for a top-level directive. */
    static Optional<String> read(Path config, String block, String key) throws IOException {
        String text = Files.readString(config);
        return config.getFileName().toString().endsWith(".toml") ? fromToml(text, block, key) : fromConf(text, block, key);
    }

    static Optional<String> fromToml(String text, String block, String key) {
        Pattern setting = Pattern.compile("\\s*" + Pattern.quote(key) + "\\s*=\\s*[\"']([^\"']*)[\"']\\s*(#.*)?");
        boolean inTable = block == null;
        for (String line : text.lines().toList()) {
            String stripped = line.strip();
            if (stripped.startsWith("[")) {
                inTable = block != null && stripped.equals("[" + block + "]");
                continue;
            }
            Matcher m = setting.matcher(line);
            if (inTable && m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromConf(String text, String block, String key) {
        int depth = 0;
        String statementName = null;
        String openBlock = null;
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
                if (c == '{') {
                    depth++;
                    if (depth == 1) {
                        openBlock = statementName;
                    }
                } else {
                    depth--;
                    if (depth == 0) {
                        openBlock = null;
                    }
                }
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
                if (statementStart && depth == 0) {
                    statementName = word;
                }
                boolean inPlace = block == null ? depth == 0 : depth == 1 && block.equals(openBlock);
                expectValue = inPlace && statementStart && word.equals(key);
                statementStart = false;
            }
        }
        return Optional.empty();
    }
}
