package io.pgrouter.core.config;

import io.pgrouter.spi.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads pgrouter.conf's grammar (the original pgrouter's format) into {@link Directive}s:
 *
 * <pre>
 * file      = { directive | separator }
 * directive = NAME { VALUE } [ "{" { directive | separator } "}" ]
 * separator = ";" | NEWLINE
 * </pre>
 *
 * After an error it skips to the next separator and goes on, so one run reports several errors.
 */
final class ConfigParser {
    private final List<Token> tokens;
    private final String file;
    private final List<ConfigException> errors;
    private int next;

    private ConfigParser(List<Token> tokens, String file, List<ConfigException> errors) {
        this.tokens = tokens;
        this.file = file;
        this.errors = errors;
    }

    static List<Directive> parse(String text, String file, List<ConfigException> errors) {
        List<Token> tokens = ConfigLexer.tokenize(text, file, errors);
        return new ConfigParser(tokens, file, errors).directives(null);
    }

    /** Directives up to the end of the file, or up to the '}' closing the block opened at {@code open}. */
    private List<Directive> directives(Token open) {
        List<Directive> result = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.is(Token.Kind.NEWLINE) || t.is(Token.Kind.SEMICOLON)) {
                next++;
            } else if (t.is(Token.Kind.END)) {
                if (open != null) {
                    errors.add(error(t, "expected '}' to close the block opened at line " + open.line()
                            + ", found end of file"));
                }
                return result;
            } else if (t.is(Token.Kind.CLOSE)) {
                next++;
                if (open != null) {
                    return result;
                }
                errors.add(error(t, "unexpected '}' (no block is open)"));
            } else if (t.is(Token.Kind.WORD)) {
                Directive d = directive();
                if (d != null) {
                    result.add(d);
                }
            } else {
                errors.add(error(t, "expected a directive name, found " + t.describe()));
                skipStatement();
            }
        }
    }

    private Directive directive() {
        Token name = tokens.get(next++);
        List<Directive.Value> values = new ArrayList<>();
        while (peek().isValue()) {
            Token v = tokens.get(next++);
            values.add(new Directive.Value(v.text(), location(v)));
        }
        List<Directive> block = null;
        Token t = peek();
        if (t.is(Token.Kind.OPEN)) {
            next++;
            block = directives(t);
        } else if (!(t.is(Token.Kind.NEWLINE) || t.is(Token.Kind.SEMICOLON) || t.is(Token.Kind.CLOSE) || t.is(Token.Kind.END))) {
            errors.add(error(t, "unexpected " + t.describe() + " after '" + name.text() + "'"));
            skipStatement();
            return null;
        }
        return new Directive(name.text(), location(name), values, block);
    }

    private void skipStatement() {
        while (!(peek().is(Token.Kind.NEWLINE) || peek().is(Token.Kind.SEMICOLON) || peek().is(Token.Kind.END))) {
            next++;
        }
    }

    private Token peek() {
        return tokens.get(next);
    }

    private String location(Token t) {
        return file + ":" + t.line() + ":" + t.column();
    }

    private ConfigException error(Token t, String message) {
        return new ConfigException(location(t), message);
    }
}
