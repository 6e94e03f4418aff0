package io.pgrouter.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Undoes the percent-encoding of database and user names on the monitor's {@code pool} lines
 * (monitor-text's MonitorNames writes it): {@code %XX} is one byte of the name's UTF-8 form,
 * every other character stands for itself. Bytes that are not valid UTF-8 become U+FFFD rather
 * than failing the whole reading: a name is for display, the counts matter more.
 */
final class MonitorNames {
    private MonitorNames() {
    }

    static String decode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw new IllegalArgumentException("'%' not followed by two hex digits in '" + encoded + "'");
                }
                bytes.write(high << 4 | low);
                i += 3;
            } else {
                int codePoint = encoded.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * A name for a table cell: control characters (a newline would break the table) shown as
     * their {@code %XX} escape, everything else as is. The JSON output carries the exact name.
     */
    static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("%%%02X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
