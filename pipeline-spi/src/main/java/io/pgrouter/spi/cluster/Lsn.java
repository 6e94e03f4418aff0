package io.pgrouter.spi.cluster;

import java.util.Locale;

/**
 * WAL positions as PostgreSQL writes them ({@code 16/B374D848}: the high and low 32 bits in hex)
 * and as pgrouter compares them: a byte offset, {@code lsn - '0/0'}.
 */
public final class Lsn {
    private Lsn() {
    }

    /**
     * The offset of a {@code pg_lsn} text.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static long parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1 || slash > 8 || t.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not a WAL position (expected the form 16/B374D848): " + text);
        }
        try {
            long high = Long.parseLong(t, 0, slash, 16);
            long low = Long.parseLong(t, slash + 1, t.length(), 16);
            return high << 32 | low;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL position (expected the form 16/B374D848): " + text);
        }
    }

    /** The {@code pg_lsn} text of an offset. */
    public static String format(long position) {
        return Long.toHexString(position >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(position & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }
}
