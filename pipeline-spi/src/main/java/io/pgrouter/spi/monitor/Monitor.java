package io.pgrouter.spi.monitor;

/** A running monitor. Started and closed by core's main thread. */
public interface Monitor extends AutoCloseable {
    /** A monitor that does nothing. */
    Monitor NONE = new Monitor() {
        @Override
        public void start() {
        }

        @Override
        public void close() {
        }
    };

    /** Binds and serves, on threads of its own. Throws when it cannot bind. */
    void start() throws Exception;

    @Override
    void close();
}
