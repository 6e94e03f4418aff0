package io.pgrouter.core.config;

/** One token of pgrouter.conf, with where it starts. */
record Token(Kind kind, String text, int line, int column) {
    enum Kind {
        WORD,
        STRING,
        OPEN,
        CLOSE,
        SEMICOLON,
        NEWLINE,
        END
    }

    boolean is(Kind k) {
        return kind == k;
    }

    /** A value token: a bare word or a quoted string. */
    boolean isValue() {
        return kind == Kind.WORD || kind == Kind.STRING;
    }

    String describe() {
        return switch (kind) {
            case WORD -> "'" + text + "'";
            case STRING -> "\"" + text + "\"";
            case OPEN -> "'{'";
            case CLOSE -> "'}'";
            case SEMICOLON -> "';'";
            case NEWLINE -> "end of line";
            case END -> "end of file";
        };
    }
}
