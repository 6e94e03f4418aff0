package io.pgrouter.pipeline.readsplit.sql;

/** The kinds of token {@link SqlLexer} produces; only as fine as routing needs. */
enum SqlTokenKind {
    /** An unquoted identifier or keyword; PostgreSQL folds it to lower case. */
    WORD,
    /** A double-quoted identifier, {@code U&"..."} included; compared exactly. */
    QUOTED_IDENTIFIER,
    /** Any string constant: {@code '...'}, {@code E'...'}, {@code U&'...'}, {@code B'...'}, {@code X'...'}, dollar-quoted. */
    STRING,
    NUMBER,
    /** A positional parameter such as {@code $1}. */
    PARAMETER,
    LEFT_PAREN,
    RIGHT_PAREN,
    SEMICOLON,
    COMMA,
    DOT,
    /** Any other punctuation or operator character, one character per token. */
    OPERATOR,
    /** A {@code --} line comment or a (possibly nested) block comment. */
    COMMENT,
    /** The end of the text; returned again on every further call. */
    END
}
