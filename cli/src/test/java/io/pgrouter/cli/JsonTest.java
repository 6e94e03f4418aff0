package io.pgrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001\"", Json.string("a\"b\\c\nd\te\u0001"));
        assertEquals("\"caf\u00e9\"", Json.string("caf\u00e9"));
    }
}
