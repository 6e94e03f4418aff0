package io.pgrouter.pipeline.readsplit.sql;

import java.util.EnumSet;
import java.util.Set;

/**
 * Finds, at the lexer level, the statements that drop session state a session cannot take to
 * another server: {@code DISCARD ALL} (everything), {@code DISCARD TEMP}/{@code TEMPORARY},
 * {@code UNLISTEN *}, {@code CLOSE ALL}, {@code RESET ALL} and {@code pg_advisory_unlock_all()}.
 * Meant to run only while a session holds such state, so it costs nothing on the common path.
 */
public final class StateRelease {
    private StateRelease() {
    }

    /** The kinds of pinned state the text releases; empty when none. */
    public static Set<SessionPin> released(CharSequence sql, boolean standardConformingStrings) {
        SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
        EnumSet<SessionPin> released = EnumSet.noneOf(SessionPin.class);
        String previous = null;
        for (SqlTokenKind kind = lexer.nextSignificant(); kind != SqlTokenKind.END; kind = lexer.nextSignificant()) {
            if (kind == SqlTokenKind.WORD && lexer.isWord("pg_advisory_unlock_all")) {
                released.add(SessionPin.ADVISORY_LOCK);
            }
            if ("discard".equals(previous) && lexer.isWord("all")) {
                released.addAll(EnumSet.allOf(SessionPin.class));
            } else if ("discard".equals(previous) && (lexer.isWord("temp") || lexer.isWord("temporary"))) {
                released.add(SessionPin.TEMPORARY_OBJECT);
            } else if ("unlisten".equals(previous) && kind == SqlTokenKind.OPERATOR
                    && sql.charAt(lexer.start()) == '*') {
                released.add(SessionPin.LISTEN);
            } else if ("close".equals(previous) && lexer.isWord("all")) {
                released.add(SessionPin.CURSOR_WITH_HOLD);
            } else if ("reset".equals(previous) && lexer.isWord("all")) {
                released.add(SessionPin.SET_CONFIG);
            }
            previous = lexer.isWord("discard") ? "discard" : lexer.isWord("unlisten") ? "unlisten"
                    : lexer.isWord("close") ? "close" : lexer.isWord("reset") ? "reset" : null;
        }
        return released;
    }
}
