package io.pgrouter.core.admin;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answer to one admin command: detail lines, then one final line that says whether the
 * command succeeded. On the wire, UTF-8, each line ended by {@code \n}:
 *
 * <pre>
 * - DETAIL           (zero or more: a config error, a session count...)
 * ok SUMMARY         (or: error SUMMARY)
 * </pre>
 *
 * A line break inside a text is sent as a space, so that one line stays one line.
 *
 * @param ok whether the command did what was asked
 * @param summary the final line's text
 * @param details what comes before it
 */
public record AdminReply(boolean ok, String summary, List<String> details) {
    public AdminReply {
        details = List.copyOf(details);
    }

    public static AdminReply ok(String summary) {
        return new AdminReply(true, summary, List.of());
    }

    public static AdminReply error(String summary) {
        return new AdminReply(false, summary, List.of());
    }

    public static AdminReply error(String summary, List<String> details) {
        return new AdminReply(false, summary, details);
    }

    public byte[] encode() {
        StringBuilder out = new StringBuilder();
        for (String d : details) {
            out.append("- ").append(oneLine(d)).append('\n');
        }
        out.append(ok ? "ok " : "error ").append(oneLine(summary)).append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String oneLine(String text) {
        return text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
