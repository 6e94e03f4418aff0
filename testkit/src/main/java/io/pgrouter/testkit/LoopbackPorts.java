package io.pgrouter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free TCP ports for the servers the testkit starts on loopback. */
final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A port free now (the OS picks it); another process may take it before the caller binds it. */
    static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
