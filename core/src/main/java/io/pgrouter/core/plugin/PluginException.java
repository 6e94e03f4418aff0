package io.pgrouter.core.plugin;

/** A plugin could not be loaded: a startup and {@code pgrouter -t} error, never a silent skip. */
public final class PluginException extends Exception {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
