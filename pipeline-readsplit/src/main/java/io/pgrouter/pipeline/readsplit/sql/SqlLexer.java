package io.pgrouter.pipeline.readsplit.sql;

/**
 * A forward-only tokenizer over PostgreSQL SQL text, following the server's own lexer rules for
 * everything that can hide or split a statement: {@code --} and nested block comments, standard,
 * {@code E'...'}, {@code U&'...'}, bit and hex strings, dollar quotes ({@code $$...$$},
 * {@code $tag$...$tag$}, but not {@code $1}), double-quoted identifiers and parentheses.
 *
 * <p>It is a cursor rather than a token list so that classifying a statement allocates nothing:
 * {@link #next()} moves on and the current token is read through {@link #kind()},
 * {@link #start()}, {@link #end()} and {@link #depth()}. It never throws: text the server would
 * reject as unterminated or unbalanced sets {@link #malformed()}, and the caller treats it as unsure.
 */
final class SqlLexer {

    private final CharSequence sql;
    private final int length;
    private final boolean standardConformingStrings;

    private int position;
    private int depth;
    private boolean malformed;

    private SqlTokenKind kind = SqlTokenKind.END;
    private int start;
    private int end;
    private int tokenDepth;
    /** The depth before the current token, to re-read it after a {@link #reset(long)}. */
    private int depthBefore;

    /**
     * @param standardConformingStrings the session's standard_conforming_strings (on by default
     *        since PostgreSQL 9.1); when off, backslashes escape in plain {@code '...'} strings too
     */
    SqlLexer(CharSequence sql, boolean standardConformingStrings) {
        this.sql = sql;
        this.length = sql.length();
        this.standardConformingStrings = standardConformingStrings;
    }

    CharSequence source() {
        return sql;
    }

    SqlTokenKind kind() {
        return kind;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    /** Parenthesis depth of the current token; a parenthesis itself has the depth outside it. */
    int depth() {
        return tokenDepth;
    }

    /** Whether anything so far was unterminated or had unbalanced parentheses. */
    boolean malformed() {
        return malformed || (kind == SqlTokenKind.END && depth != 0);
    }

    /** A mark of the current token, for lookahead without allocation: see {@link #reset(long)}. */
    long mark() {
        return ((long) depthBefore << 32) | (start & 0xFFFF_FFFFL);
    }

    /** Goes back to a {@link #mark()}ed token, which becomes the current token again. */
    void reset(long mark) {
        position = (int) mark;
        depth = (int) (mark >>> 32);
        next();
    }

    /** Whether the current token is the unquoted word {@code lowerCaseKeyword}, compared as PostgreSQL folds case. */
    boolean isWord(String lowerCaseKeyword) {
        return kind == SqlTokenKind.WORD && Identifiers.wordEquals(sql, start, end, lowerCaseKeyword);
    }

    /** Moves to the next token that is not a comment. */
    SqlTokenKind nextSignificant() {
        SqlTokenKind next;
        do {
            next = next();
        } while (next == SqlTokenKind.COMMENT);
        return next;
    }

    /** Moves to the next token, comments included, and returns its kind. */
    SqlTokenKind next() {
        while (position < length && isWhitespace(sql.charAt(position))) {
            position++;
        }
        start = position;
        tokenDepth = depth;
        depthBefore = depth;
        if (position >= length) {
            end = position;
            return kind = SqlTokenKind.END;
        }
        char c = sql.charAt(position);
        SqlTokenKind scanned = switch (c) {
            case '-' -> charAt(position + 1) == '-' ? lineComment() : single(SqlTokenKind.OPERATOR);
            case '/' -> charAt(position + 1) == '*' ? blockComment() : single(SqlTokenKind.OPERATOR);
            case '\'' -> quoted(position + 1, '\'', !standardConformingStrings, SqlTokenKind.STRING);
            case '"' -> quoted(position + 1, '"', false, SqlTokenKind.QUOTED_IDENTIFIER);
            case '$' -> dollar();
            case '(' -> {
                depth++;
                yield single(SqlTokenKind.LEFT_PAREN);
            }
            case ')' -> {
                if (depth == 0) {
                    malformed = true;
                } else {
                    depth--;
                }
                tokenDepth = depth;
                yield single(SqlTokenKind.RIGHT_PAREN);
            }
            case ';' -> single(SqlTokenKind.SEMICOLON);
            case ',' -> single(SqlTokenKind.COMMA);
            case '.' -> isDigit(charAt(position + 1)) ? number() : single(SqlTokenKind.DOT);
            default -> {
                if (isIdentifierStart(c)) {
                    yield wordOrPrefixedString(c);
                }
                yield isDigit(c) ? number() : single(SqlTokenKind.OPERATOR);
            }
        };
        end = position;
        return kind = scanned;
    }

    private SqlTokenKind single(SqlTokenKind single) {
        position++;
        return single;
    }

    private SqlTokenKind lineComment() {
        while (position < length && sql.charAt(position) != '\n' && sql.charAt(position) != '\r') {
            position++;
        }
        return SqlTokenKind.COMMENT;
    }

    /** Block comments nest in PostgreSQL, unlike in the SQL standard and most other databases. */
    private SqlTokenKind blockComment() {
        int nesting = 0;
        while (position < length) {
            char c = sql.charAt(position);
            if (c == '/' && charAt(position + 1) == '*') {
                nesting++;
                position += 2;
            } else if (c == '*' && charAt(position + 1) == '/') {
                position += 2;
                if (--nesting == 0) {
                    return SqlTokenKind.COMMENT;
                }
            } else {
                position++;
            }
        }
        malformed = true;
        return SqlTokenKind.COMMENT;
    }

    /**
     * Scans to the closing {@code quote} from {@code from}, the first character inside; a doubled
     * quote stands for itself and, in escape strings, a backslash escapes the next character.
     */
    private SqlTokenKind quoted(int from, char quote, boolean backslashEscapes, SqlTokenKind quotedKind) {
        int i = from;
        while (i < length) {
            char c = sql.charAt(i);
            if (c == '\\' && backslashEscapes) {
                i += 2;
            } else if (c == quote) {
                if (charAt(i + 1) != quote) {
                    position = i + 1;
                    return quotedKind;
                }
                i += 2;
            } else {
                i++;
            }
        }
        malformed = true;
        position = length;
        return quotedKind;
    }

    /** {@code $1} is a parameter, {@code $tag$} opens a dollar quote, anything else is an operator character. */
    private SqlTokenKind dollar() {
        char after = charAt(position + 1);
        if (isDigit(after)) {
            position++;
            while (position < length && isDigit(sql.charAt(position))) {
                position++;
            }
            return SqlTokenKind.PARAMETER;
        }
        int tagEnd = position + 1;
        if (after != '$') {
            if (!isIdentifierStart(after)) {
                return single(SqlTokenKind.OPERATOR);
            }
            while (tagEnd < length && isTagPart(sql.charAt(tagEnd))) {
                tagEnd++;
            }
            if (charAt(tagEnd) != '$') {
                return single(SqlTokenKind.OPERATOR);
            }
        }
        int tagLength = tagEnd + 1 - position; // $tag$ including both dollars
        for (int i = tagEnd + 1; i + tagLength <= length; i++) {
            if (sql.charAt(i) == '$' && regionEquals(i, position, tagLength)) {
                position = i + tagLength;
                return SqlTokenKind.STRING;
            }
        }
        malformed = true;
        position = length;
        return SqlTokenKind.STRING;
    }

    private SqlTokenKind wordOrPrefixedString(char c) {
        char next = charAt(position + 1);
        if (next == '\'') {
            switch (c) {
                case 'e', 'E' -> {
                    return quoted(position + 2, '\'', true, SqlTokenKind.STRING);
                }
                case 'b', 'B', 'x', 'X', 'n', 'N' -> {
                    return quoted(position + 2, '\'', !standardConformingStrings, SqlTokenKind.STRING);
                }
                default -> { }
            }
        }
        if ((c == 'u' || c == 'U') && next == '&') {
            char quote = charAt(position + 2);
            if (quote == '\'') {
                return quoted(position + 3, '\'', false, SqlTokenKind.STRING);
            }
            if (quote == '"') {
                return quoted(position + 3, '"', false, SqlTokenKind.QUOTED_IDENTIFIER);
            }
        }
        position++;
        while (position < length && isIdentifierPart(sql.charAt(position))) {
            position++;
        }
        return SqlTokenKind.WORD;
    }

    /** Loose on purpose (hex, octal, binary, underscores, exponents): a number never hides a keyword. */
    private SqlTokenKind number() {
        position++;
        while (position < length) {
            char c = sql.charAt(position);
            if ((c == 'e' || c == 'E') && (charAt(position + 1) == '+' || charAt(position + 1) == '-')) {
                position += 2;
            } else if (isDigit(c) || c == '.' || c == '_' || (c < 128 && Character.isLetter(c))) {
                position++;
            } else {
                break;
            }
        }
        return SqlTokenKind.NUMBER;
    }

    private boolean regionEquals(int at, int other, int count) {
        for (int k = 0; k < count; k++) {
            if (sql.charAt(at + k) != sql.charAt(other + k)) {
                return false;
            }
        }
        return true;
    }

    private char charAt(int index) {
        return index < length ? sql.charAt(index) : '\0';
    }

    /** PostgreSQL's whitespace: space, tab, newline, carriage return, form feed, vertical tab. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Non-ASCII characters are identifier characters in PostgreSQL. */
    static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isTagPart(char c) {
        return isIdentifierStart(c) || isDigit(c);
    }
}
