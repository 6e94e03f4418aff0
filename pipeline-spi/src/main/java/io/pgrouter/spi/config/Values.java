package io.pgrouter.spi.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Parsers for the value syntaxes of pgrouter.conf, shared by core and plugins so that every
 * block accepts the same spellings.
 *
 * <ul>
 *   <li>sizes: {@code 500b}, {@code 16kb}, {@code 2mb}, {@code 1gb}; a plain number is bytes
 *       (units are powers of 1024, case-insensitive);</li>
 *   <li>durations: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; a plain number is
 *       seconds.</li>
 * </ul>
 */
public final class Values {
    /** The largest size a long holds in whole terabytes, for error messages. */
    private static final String MAX_SIZE = (Long.MAX_VALUE >> 40) + "tb";

    private Values() {
    }

    /**
     * Parses a size in bytes.
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    public static long size(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = digitsEnd(t);
        String expected = "size from 0b to " + MAX_SIZE + " (e.g. 500b, 16kb, 2mb, 1gb)";
        if (split == 0) {
            throw new IllegalArgumentException("expected a " + expected + ", found '" + text + "'");
        }
        String unit = t.substring(split);
        long multiplier = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1L << 10;
            case "m", "mb" -> 1L << 20;
            case "g", "gb" -> 1L << 30;
            case "t", "tb" -> 1L << 40;
            default -> throw new IllegalArgumentException("bad size unit '" + text.trim().substring(split).trim()
                    + "' in '" + text + "' (expected a number with b, kb, mb, gb or tb)");
        };
        try {
            return Math.multiplyExact(number(t.substring(0, split), text, expected), multiplier);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large (at most " + MAX_SIZE + ")", e);
        }
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = digitsEnd(t);
        String expected = "duration (e.g. 250ms, 5s, 2m, 1h)";
        if (split == 0) {
            throw new IllegalArgumentException("expected a " + expected + ", found '" + text + "'");
        }
        String unit = t.substring(split);
        if (!unit.equals("ms") && !unit.equals("") && !unit.equals("s") && !unit.equals("m") && !unit.equals("h")) {
            throw new IllegalArgumentException("bad duration unit '" + text.trim().substring(split).trim()
                    + "' in '" + text + "' (expected a number with ms, s, m or h)");
        }
        try {
            long number = number(t.substring(0, split), text, expected);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(number);
                case "m" -> Duration.ofMinutes(number);
                case "h" -> Duration.ofHours(number);
                default -> Duration.ofSeconds(number);
            };
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large", e);
        }
    }

    /**
     * Parses a non-negative whole number.
     *
     * @throws IllegalArgumentException when it is not one ({@code "abc"}, {@code "-5"}: "expected a
     *     whole number"), or when it does not fit a long ("too large")
     */
    public static long count(String text) {
        return number(text.trim(), text, "whole number");
    }

    private static int digitsEnd(String t) {
        int i = 0;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** ASCII digits as a long; anything else (a sign, a letter, nothing) is not a number. */
    private static long number(String digits, String original, String expected) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a " + expected + ", found '" + original + "'");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number '" + original + "' is too large (at most " + Long.MAX_VALUE + ")",
                    e);
        }
    }
}
