package io.pgrouter.cli;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The few JSON pieces the cli writes, by hand so that the cli needs no JSON library. */
final class Json {
    private Json() {
    }

    /** A JSON string literal, escaped per RFC 8259. */
    static String string(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String string(Optional<String> s) {
        return s.map(Json::string).orElse("null");
    }

    static String number(OptionalLong n) {
        return n.isPresent() ? Long.toString(n.getAsLong()) : "null";
    }

    static String strings(List<String> items) {
        return "[" + String.join(", ", items.stream().map(Json::string).toList()) + "]";
    }
}
