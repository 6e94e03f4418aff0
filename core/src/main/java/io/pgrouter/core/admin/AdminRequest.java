package io.pgrouter.core.admin;

import io.pgrouter.spi.config.Values;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command of the admin channel, as the client sends it: a line of words, the command first,
 * then its options as {@code name=value} or a bare flag.
 *
 * <pre>
 * reload
 * pause timeout=60s
 * resume
 * drain [timeout=10m]
 * shutdown [fast] [timeout=30s]
 * </pre>
 */
public sealed interface AdminRequest {
    /** How long a pause lasts at most when the client does not say. */
    Duration DEFAULT_PAUSE = Duration.ofSeconds(60);
    /** How long a smart shutdown waits for busy sessions when the client does not say. */
    Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(30);

    /** Read the configuration file again and apply it, or report why not. */
    record Reload() implements AdminRequest {
    }

    /** Hold new requests of quiet sessions; lifted by a resume or after {@code timeout}. */
    record Pause(Duration timeout) implements AdminRequest {
    }

    record Resume() implements AdminRequest {
    }

    /** Stop accepting clients; exit once the last session ends, or after {@code timeout} if given. */
    record Drain(Optional<Duration> timeout) implements AdminRequest {
    }

    /**
     * Stop accepting clients and exit. Smart: each session ends at its next transaction boundary,
     * the busy ones after {@code timeout} at most. Fast: every session ends now.
     */
    record Shutdown(boolean fast, Duration timeout) implements AdminRequest {
    }

    /** A line that is not a command; the message says what was expected. */
    final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    /** Parses one request line (without its line end). */
    static AdminRequest parse(String line) throws Invalid {
        List<String> words = Arrays.stream(line.strip().split(" +")).filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) {
            throw new Invalid("empty command (expected reload, pause, resume, drain or shutdown)");
        }
        String command = words.get(0);
        Map<String, String> options = options(command, words.subList(1, words.size()));
        return switch (command) {
            case "reload" -> {
                allow(command, options);
                yield new Reload();
            }
            case "pause" -> {
                allow(command, options, "timeout");
                yield new Pause(duration(options, "timeout").orElse(DEFAULT_PAUSE));
            }
            case "resume" -> {
                allow(command, options);
                yield new Resume();
            }
            case "drain" -> {
                allow(command, options, "timeout");
                yield new Drain(duration(options, "timeout"));
            }
            case "shutdown" -> {
                allow(command, options, "timeout", "fast");
                if (options.containsKey("fast") && !options.get("fast").isEmpty()) {
                    throw new Invalid("shutdown: 'fast' takes no value");
                }
                yield new Shutdown(options.containsKey("fast"), duration(options, "timeout").orElse(DEFAULT_SHUTDOWN));
            }
            default -> throw new Invalid("unknown command '" + command
                    + "' (expected reload, pause, resume, drain or shutdown)");
        };
    }

    private static Map<String, String> options(String command, List<String> words) throws Invalid {
        Map<String, String> options = new HashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (options.put(name, eq < 0 ? "" : w.substring(eq + 1)) != null) {
                throw new Invalid(command + ": '" + name + "' is given twice");
            }
        }
        return options;
    }

    private static void allow(String command, Map<String, String> options, String... known) throws Invalid {
        List<String> allowed = List.of(known);
        for (String name : options.keySet()) {
            if (!allowed.contains(name)) {
                throw new Invalid(command + ": unknown option '" + name + "'"
                        + (allowed.isEmpty() ? " (it takes none)" : " (expected " + String.join(", ", allowed) + ")"));
            }
        }
    }

    private static Optional<Duration> duration(Map<String, String> options, String name) throws Invalid {
        String text = options.get(name);
        if (text == null) {
            return Optional.empty();
        }
        try {
            Duration d = Values.duration(text);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("must be between 1ms and 24h");
            }
            return Optional.of(d);
        } catch (IllegalArgumentException e) {
            throw new Invalid(name + "=" + text + ": " + e.getMessage());
        }
    }
}
