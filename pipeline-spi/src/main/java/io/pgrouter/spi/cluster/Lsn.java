package io.pgrouter.spi.cluster;

import java.nio.charset.StandardCharsets;

/**
 * WAL positions as PostgreSQL writes them ({@code 16/B374D848}: the high and low 32 bits in hex)
 * and as pgrouter compares them: a byte offset, {@code lsn - '0/0'}.
 */
public final class Lsn {
    private static final byte[] HEX_DIGITS = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

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
        // Written digit by digit: readsplit formats one for every commit (pgrouter.commit_lsn),
        // and the hex-string-then-upper-case way made five objects of it.
        byte[] text = new byte[17];
        int at = hex(text, 0, position >>> 32);
        text[at++] = '/';
        at = hex(text, at, position & 0xFFFFFFFFL);
        return new String(text, 0, at, StandardCharsets.US_ASCII);
    }

    /** Writes {@code half} (32 bits) in upper-case hex without leading zeros at {@code at}; returns the end. */
    private static int hex(byte[] into, int at, long half) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(half) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            into[at++] = HEX_DIGITS[(int) (half >>> (4 * i)) & 0xF];
        }
        return at;
    }
}
