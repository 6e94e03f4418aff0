package io.pgrouter.spi.pipeline;

import java.util.Map;

/**
 * A backend refused a login by pgrouter, or pgrouter could not answer its authentication
 * request. Carries the error as a client should see it.
 */
public final class BackendLoginException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String sqlState;
    private final transient Map<Character, String> fields;

    /**
     * @param sqlState the SQLSTATE to report
     * @param message what went wrong, in words
     * @param fields the backend's ErrorResponse fields when it sent one (code letter to value),
     *     empty when pgrouter itself gave up
     */
    public BackendLoginException(String sqlState, String message, Map<Character, String> fields) {
        super(message);
        this.sqlState = sqlState;
        this.fields = Map.copyOf(fields);
    }

    public String sqlState() {
        return sqlState;
    }

    /** The backend's ErrorResponse fields, by field code ('S', 'C', 'M', ...); may be empty. */
    public Map<Character, String> fields() {
        return fields;
    }
}
