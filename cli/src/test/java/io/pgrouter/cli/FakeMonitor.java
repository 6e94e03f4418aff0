package io.pgrouter.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A monitor port that answers every connection with a fixed text, for cli tests. */
final class FakeMonitor implements AutoCloseable {
    private final ServerSocket server;
    private volatile String text;

    FakeMonitor(String text) throws IOException {
        this.text = text;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "fake-monitor");
        t.setDaemon(true);
        t.start();
    }

    void answer(String newText) {
        this.text = newText;
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                out.write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
