package io.pgrouter.pipeline.readsplit.consistency;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SET}, {@code RESET} or {@code SHOW} of one of pgrouter's own settings
 * ({@code pgrouter.consistency}, ...), which pgrouter answers itself. Recognised only as a whole
 * statement (leading comments and one trailing semicolon allowed); anything else, a
 * multi-statement string with one in it say, is not pgrouter's and goes to PostgreSQL.
 *
 * @param kind what the statement does
 * @param name the setting's name after {@code pgrouter.}, in lower case
 * @param value for SET, the value as given (quotes removed); null for RESET, SHOW and {@code SET ... TO DEFAULT}
 * @param local {@code SET LOCAL}, which pgrouter refuses: its settings do not follow transactions
 */
public record SettingCommand(Kind kind, String name, String value, boolean local) {
    public enum Kind { SET, RESET, SHOW }

    /** The prefix of pgrouter's settings. */
    public static final String PREFIX = "pgrouter.";

    private static final String LEAD = "^(?:\\s|/\\*.*?\\*/|--[^\\n]*\\n)*";
    private static final String NAME = "pgrouter\\.([a-z_][a-z0-9_]*)";
    private static final String END = "\\s*;?\\s*$";
    private static final Pattern SET = Pattern.compile(LEAD + "set\\s+(?:(session|local)\\s+)?" + NAME
            + "\\s*(?:=|\\s(?:to)\\s)\\s*('(?:[^']|'')*'|[^\\s;']+)" + END, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern RESET = Pattern.compile(LEAD + "reset\\s+" + NAME + END,
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SHOW = Pattern.compile(LEAD + "show\\s+" + NAME + END,
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** Longer statements are never pgrouter's: the regular expressions stay cheap. */
    private static final int MAX_LENGTH = 512;

    /** The command in {@code sql}, if it is one of pgrouter's. Cheap for everything else: one scan for the prefix. */
    public static Optional<SettingCommand> parse(String sql) {
        if (sql.length() > MAX_LENGTH || !mentionsPrefix(sql)) {
            return Optional.empty();
        }
        Matcher m = SET.matcher(sql);
        if (m.matches()) {
            String value = m.group(3);
            if (value.startsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("''", "'");
            } else if (value.equalsIgnoreCase("default")) {
                return Optional.of(new SettingCommand(Kind.RESET, lower(m.group(2)), null, isLocal(m.group(1))));
            }
            return Optional.of(new SettingCommand(Kind.SET, lower(m.group(2)), value, isLocal(m.group(1))));
        }
        m = RESET.matcher(sql);
        if (m.matches()) {
            return Optional.of(new SettingCommand(Kind.RESET, lower(m.group(1)), null, false));
        }
        m = SHOW.matcher(sql);
        if (m.matches()) {
            return Optional.of(new SettingCommand(Kind.SHOW, lower(m.group(1)), null, false));
        }
        return Optional.empty();
    }

    /** The setting's full name, as SHOW labels its column. */
    public String fullName() {
        return PREFIX + name;
    }

    /** The CommandComplete tag PostgreSQL gives such a statement. */
    public String tag() {
        return kind.name();
    }

    private static boolean isLocal(String scope) {
        return scope != null && scope.equalsIgnoreCase("local");
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean mentionsPrefix(String sql) {
        for (int i = sql.indexOf('.'); i >= 0; i = sql.indexOf('.', i + 1)) {
            if (i >= 8 && sql.regionMatches(true, i - 8, "pgrouter", 0, 8)) {
                return true;
            }
        }
        return false;
    }
}
