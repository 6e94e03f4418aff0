package io.pgrouter.pipeline.readsplit.sql;

import static io.pgrouter.pipeline.readsplit.sql.SqlTokenKind.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Token boundaries for every quoting and comment form, and robustness on arbitrary text. */
class SqlLexerTest {

    private static List<String> tokens(String sql) {
        return tokens(sql, true);
    }

    /** Each token as KIND:text, comments included. */
    private static List<String> tokens(String sql, boolean standardConformingStrings) {
        SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
        List<String> tokens = new ArrayList<>();
        for (SqlTokenKind kind = lexer.next(); kind != END; kind = lexer.next()) {
            tokens.add(kind + ":" + sql.substring(lexer.start(), lexer.end()));
        }
        return tokens;
    }

    @Test
    void wordsPunctuationAndNumbers() {
        assertEquals(List.of("WORD:select", "WORD:a", "COMMA:,", "WORD:t", "DOT:.", "WORD:b", "OPERATOR:+",
                "NUMBER:1.5e-3", "WORD:from", "WORD:t", "SEMICOLON:;"), tokens("select a, t.b+1.5e-3 from t;"));
        assertEquals(List.of("NUMBER:.5", "NUMBER:0x1F", "NUMBER:1_000"), tokens(".5 0x1F 1_000"));
    }

    @Test
    void comments() {
        assertEquals(List.of("COMMENT:-- a ; b", "WORD:x"), tokens("-- a ; b\nx"));
        assertEquals(List.of("COMMENT:--\r", "WORD:x").get(1), tokens("--\rx").get(1));
        assertEquals(List.of("COMMENT:/* a /* b */ c */", "WORD:x"), tokens("/* a /* b */ c */x"));
        assertEquals(List.of("OPERATOR:-", "NUMBER:1"), tokens("-1"));
        assertEquals(List.of("NUMBER:1", "OPERATOR:/", "NUMBER:2"), tokens("1/2"));
    }

    @Test
    void strings() {
        assertEquals(List.of("STRING:'it''s'", "WORD:x"), tokens("'it''s' x"));
        assertEquals(List.of("STRING:'a\\'", "WORD:x"), tokens("'a\\' x"));
        assertEquals(List.of("STRING:E'a\\'b'", "WORD:x"), tokens("E'a\\'b' x"));
        assertEquals(List.of("STRING:e'a''b\\\\'", "WORD:x"), tokens("e'a''b\\\\' x"));
        assertEquals(List.of("STRING:U&'\\0041'", "WORD:x"), tokens("U&'\\0041' x"));
        assertEquals(List.of("STRING:B'101'", "STRING:x'ff'", "STRING:N'n'"), tokens("B'101' x'ff' N'n'"));
        assertEquals(List.of("WORD:ex", "STRING:'a'"), tokens("ex'a'")); // only one-letter prefixes
    }

    @Test
    void backslashEscapesPlainStringsWhenStandardConformingStringsIsOff() {
        assertEquals(List.of("STRING:'a\\'b'", "WORD:x"), tokens("'a\\'b' x", false));
        assertEquals(List.of("STRING:'a\\'", "WORD:c", "STRING:' x"), tokens("'a\\'c' x", true));
    }

    @Test
    void dollarQuotesAndParameters() {
        assertEquals(List.of("STRING:$$a'b$$", "WORD:x"), tokens("$$a'b$$ x"));
        assertEquals(List.of("STRING:$fn$ $$ $x$ $fn$", "WORD:x"), tokens("$fn$ $$ $x$ $fn$ x"));
        assertEquals(List.of("PARAMETER:$1", "OPERATOR:+", "PARAMETER:$23"), tokens("$1+$23"));
        assertEquals(List.of("WORD:a$b", "WORD:c$$d"), tokens("a$b c$$d"));
        assertEquals(List.of("OPERATOR:$", "WORD:x"), tokens("$x"));
        assertEquals(List.of("STRING:$_1$a$_1$"), tokens("$_1$a$_1$"));
        assertEquals(List.of("STRING:$Tag$ $tag$ $Tag$"), tokens("$Tag$ $tag$ $Tag$")); // tags are case-sensitive
    }

    @Test
    void quotedIdentifiers() {
        assertEquals(List.of("QUOTED_IDENTIFIER:\"a\"\"b\"", "WORD:x"), tokens("\"a\"\"b\" x"));
        assertEquals(List.of("QUOTED_IDENTIFIER:U&\"a\"", "WORD:x"), tokens("U&\"a\" x"));
        assertEquals(List.of("QUOTED_IDENTIFIER:\"a'b\""), tokens("\"a'b\""));
    }

    @Test
    void parenthesesHaveTheDepthOutsideThem() {
        SqlLexer lexer = new SqlLexer("f((a))", true);
        int[] expected = {0, 0, 1, 2, 1, 0};
        for (int depth : expected) {
            lexer.next();
            assertEquals(depth, lexer.depth(), lexer.kind() + " at " + lexer.start());
        }
        assertFalse(lexer.malformed());
    }

    @Test
    void markAndResetReReadTheSameToken() {
        SqlLexer lexer = new SqlLexer("a (b) c", true);
        lexer.next();
        lexer.next();
        long mark = lexer.mark();
        lexer.next();
        lexer.next();
        lexer.reset(mark);
        assertEquals(LEFT_PAREN, lexer.kind());
        assertEquals(0, lexer.depth());
        lexer.next();
        assertEquals(1, lexer.depth());
        assertTrue(lexer.isWord("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"'abc", "E'abc\\'", "\"abc", "$$abc", "$a$ abc $b$", "/* abc", "/* /* */", "(", "())",
            "U&'x", "x'ff", "select (1"})
    void unterminatedOrUnbalancedTextIsMalformed(String sql) {
        SqlLexer lexer = new SqlLexer(sql, true);
        while (lexer.next() != END) {
            // drain
        }
        assertTrue(lexer.malformed(), sql);
        assertEquals(END, lexer.next(), "END again after the end");
    }

    @Test
    void arbitraryTextNeverThrowsAndAlwaysEnds() {
        Random random = new Random(42);
        String alphabet = "'\"$-/*();,.eEuU&xXb\\ \n1sS_elct";
        StatementClassifier classifier = new StatementClassifier();
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sql = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                sql.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x3000) : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = sql.toString();
            List<String> tokens = tokens(text);
            assertTrue(tokens.size() <= text.length(), text);
            Classification c = classifier.classify(text);
            assertTrue(c.route() != null, text);
        }
    }
}
