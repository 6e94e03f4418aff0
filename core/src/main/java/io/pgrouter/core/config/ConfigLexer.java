package io.pgrouter.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits pgrouter.conf into tokens: bare words, double-quoted strings ({@code \"} and
 * {@code \\} escapes), braces, semicolons and line ends; {@code #} starts a comment.
 */
final class ConfigLexer {
    private final String text;
    private final String file;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int column = 1;

    private ConfigLexer(String text, String file) {
        this.text = text;
        this.file = file;
    }

    /** Tokenizes; an unterminated string is reported through {@code errors} and ends the input. */
    static List<Token> tokenize(String text, String file, List<io.pgrouter.spi.config.ConfigException> errors) {
        ConfigLexer lexer = new ConfigLexer(text, file);
        lexer.run(errors);
        return lexer.tokens;
    }

    private void run(List<io.pgrouter.spi.config.ConfigException> errors) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            int startLine = line;
            int startColumn = column;
            if (c == '\n') {
                tokens.add(new Token(Token.Kind.NEWLINE, "\n", startLine, startColumn));
                advance();
            } else if (c == ' ' || c == '\t' || c == '\r') {
                advance();
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    advance();
                }
            } else if (c == '{' || c == '}' || c == ';') {
                Token.Kind kind = c == '{' ? Token.Kind.OPEN : c == '}' ? Token.Kind.CLOSE : Token.Kind.SEMICOLON;
                tokens.add(new Token(kind, String.valueOf(c), startLine, startColumn));
                advance();
            } else if (c == '"') {
                String s = quoted();
                if (s == null) {
                    errors.add(new io.pgrouter.spi.config.ConfigException(file + ":" + startLine + ":" + startColumn,
                            "unterminated quoted string"));
                    break;
                }
                tokens.add(new Token(Token.Kind.STRING, s, startLine, startColumn));
            } else {
                int start = pos;
                while (pos < text.length() && !isDelimiter(text.charAt(pos))) {
                    advance();
                }
                tokens.add(new Token(Token.Kind.WORD, text.substring(start, pos), startLine, startColumn));
            }
        }
        tokens.add(new Token(Token.Kind.END, "", line, column));
    }

    /** Reads a quoted string after its opening quote; null when the input ends first. */
    private String quoted() {
        advance();
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                advance();
                return sb.toString();
            }
            if (c == '\\' && pos + 1 < text.length()) {
                advance();
                c = text.charAt(pos);
            }
            sb.append(c);
            advance();
        }
        return null;
    }

    private static boolean isDelimiter(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' || c == ';' || c == '#' || c == '"';
    }

    private void advance() {
        if (text.charAt(pos) == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        pos++;
    }
}
