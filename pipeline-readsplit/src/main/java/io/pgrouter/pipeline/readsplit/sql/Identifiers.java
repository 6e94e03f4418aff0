package io.pgrouter.pipeline.readsplit.sql;

/**
 * Identifier names read in place, as PostgreSQL sees them: unquoted words fold to lower case
 * (ASCII only, as in UTF-8 databases), double-quoted ones keep their case and {@code ""} stands
 * for {@code "}. Working on the text's region avoids a substring per keyword or function call.
 */
final class Identifiers {

    private Identifiers() {
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Whether the unquoted word at {@code [start, end)} is {@code lowerCase} once folded. */
    static boolean wordEquals(CharSequence sql, int start, int end, String lowerCase) {
        int n = lowerCase.length();
        if (end - start != n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (lower(sql.charAt(start + k)) != lowerCase.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@link String#hashCode()} of the name a WORD or QUOTED_IDENTIFIER token stands for, so
     * that names can be looked up in a hash table of Strings without building one.
     */
    static int hash(CharSequence sql, int start, int end, boolean quoted) {
        int h = 0;
        if (!quoted) {
            for (int i = start; i < end; i++) {
                h = 31 * h + lower(sql.charAt(i));
            }
            return h;
        }
        int last = end - 1; // the closing quote
        for (int i = contentStart(sql, start); i < last; i++) {
            char c = sql.charAt(i);
            h = 31 * h + c;
            if (c == '"') {
                i++; // "" stands for one quote
            }
        }
        return h;
    }

    /** Whether the token at {@code [start, end)} names exactly {@code name}. */
    static boolean nameEquals(CharSequence sql, int start, int end, boolean quoted, String name) {
        if (!quoted) {
            return wordEquals(sql, start, end, name);
        }
        int last = end - 1;
        int k = 0;
        for (int i = contentStart(sql, start); i < last; i++, k++) {
            char c = sql.charAt(i);
            if (k >= name.length() || c != name.charAt(k)) {
                return false;
            }
            if (c == '"') {
                i++;
            }
        }
        return k == name.length();
    }

    /** Whether the name the token stands for starts with {@code prefix}. */
    static boolean nameStartsWith(CharSequence sql, int start, int end, boolean quoted, String prefix) {
        int from = quoted ? contentStart(sql, start) : start;
        int to = quoted ? end - 1 : end;
        if (to - from < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            char c = sql.charAt(from + k);
            if ((quoted ? c : lower(c)) != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the name contains {@code part}; used for the rare advisory-lock name checks. */
    static boolean nameContains(CharSequence sql, int start, int end, boolean quoted, String part) {
        int from = quoted ? contentStart(sql, start) : start;
        int to = quoted ? end - 1 : end;
        for (int i = from; i + part.length() <= to; i++) {
            boolean matches = true;
            for (int k = 0; k < part.length() && matches; k++) {
                char c = sql.charAt(i + k);
                matches = (quoted ? c : lower(c)) == part.charAt(k);
            }
            if (matches) {
                return true;
            }
        }
        return false;
    }

    /** The name as a String; allocates, so only for names that are kept (prepared statements). */
    static String name(CharSequence sql, int start, int end, boolean quoted) {
        StringBuilder name = new StringBuilder(end - start);
        if (!quoted) {
            for (int i = start; i < end; i++) {
                name.append(lower(sql.charAt(i)));
            }
            return name.toString();
        }
        int last = end - 1;
        for (int i = contentStart(sql, start); i < last; i++) {
            char c = sql.charAt(i);
            name.append(c);
            if (c == '"') {
                i++;
            }
        }
        return name.toString();
    }

    /**
     * Parses a configured function name, {@code name} or {@code schema.name}, either part possibly
     * double-quoted, into {@code {schema or null, name}} with PostgreSQL's case folding.
     *
     * @throws IllegalArgumentException if it is not such a name
     */
    static String[] parseQualifiedName(String configured) {
        SqlLexer lexer = new SqlLexer(configured, true);
        String[] parts = new String[2];
        int count = 0;
        boolean expectName = true;
        for (SqlTokenKind kind = lexer.nextSignificant(); kind != SqlTokenKind.END; kind = lexer.nextSignificant()) {
            boolean isName = kind == SqlTokenKind.WORD || kind == SqlTokenKind.QUOTED_IDENTIFIER;
            if (expectName && isName && count < 2 && !lexer.malformed()) {
                parts[count++] = name(configured, lexer.start(), lexer.end(), kind == SqlTokenKind.QUOTED_IDENTIFIER);
            } else if (expectName || kind != SqlTokenKind.DOT) {
                throw new IllegalArgumentException("not a function name: " + configured);
            }
            expectName = !expectName;
        }
        if (count == 0 || expectName || parts[count - 1].isEmpty()) {
            throw new IllegalArgumentException("not a function name: " + configured);
        }
        return count == 1 ? new String[] {null, parts[0]} : parts;
    }

    /** Where a quoted identifier's content starts: after {@code "} or {@code U&"}. */
    private static int contentStart(CharSequence sql, int start) {
        return sql.charAt(start) == '"' ? start + 1 : start + 3;
    }
}
