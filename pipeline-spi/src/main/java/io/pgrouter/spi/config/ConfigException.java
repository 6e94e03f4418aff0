package io.pgrouter.spi.config;

/**
 * A configuration value a plugin (or core) cannot accept. The message starts with the
 * {@code file:line:column} of the offending text, so that {@code pgrouter -t} can print it as is.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String problem;

    public ConfigException(String location, String problem) {
        super(location + ": " + problem);
        this.location = location;
        this.problem = problem;
    }

    /** {@code file:line:column} of the offending text. */
    public String location() {
        return location;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }
}
