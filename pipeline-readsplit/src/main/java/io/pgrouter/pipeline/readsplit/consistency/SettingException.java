package io.pgrouter.pipeline.readsplit.consistency;

/** A pgrouter setting refused: the SQLSTATE and message the client gets, as PostgreSQL would word it. */
public final class SettingException extends Exception {
    private final String sqlState;

    public SettingException(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }
}
