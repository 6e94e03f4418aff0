package io.pgrouter.monitor.text;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of database and user names on the monitor's {@code pool} lines. PostgreSQL
 * names may hold spaces, newlines or any other character, while every monitor line must split on
 * single spaces and end at its newline. So every byte of the name's UTF-8 form that is not a
 * printable ASCII character other than {@code %} (0x21-0x7E) becomes {@code %XX}, upper-case hex:
 * space, {@code %}, control characters and every byte of a non-ASCII character. A name made of
 * plain ASCII words prints unchanged, so the common case stays readable with {@code nc}.
 */
final class MonitorNames {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private MonitorNames() {
    }

    static String encode(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
