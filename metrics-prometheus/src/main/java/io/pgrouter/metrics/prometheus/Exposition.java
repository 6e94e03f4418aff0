package io.pgrouter.metrics.prometheus;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * A writer of the Prometheus text exposition format 0.0.4: one {@code # HELP} and one
 * {@code # TYPE} line per family, then its samples, each family's samples together. Label values
 * escape backslash, double quote and newline; HELP texts escape backslash and newline.
 */
final class Exposition {
    private final StringBuilder out = new StringBuilder(4096);

    /** Starts a family. Its samples must follow before the next family starts. */
    Exposition family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample; {@code labels} alternate names and values. */
    Exposition sample(String name, String value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
        return this;
    }

    Exposition sample(String name, long value, String... labels) {
        return sample(name, Long.toString(value), labels);
    }

    Exposition sample(String name, boolean value, String... labels) {
        return sample(name, value ? "1" : "0", labels);
    }

    Exposition sample(String name, Duration value, String... labels) {
        return sample(name, seconds(value), labels);
    }

    Exposition sample(String name, Instant value, String... labels) {
        return sample(name, seconds(Duration.ofSeconds(value.getEpochSecond(), value.getNano())), labels);
    }

    String text() {
        return out.toString();
    }

    /** Exact decimal seconds, no exponent: {@code 1.25}, {@code 0.001}, {@code 0}. */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9))
                .stripTrailingZeros().toPlainString();
    }

    static String escapeLabel(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String escapeHelp(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
