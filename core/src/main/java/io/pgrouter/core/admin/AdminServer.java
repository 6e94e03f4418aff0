package io.pgrouter.core.admin;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin channel: a Unix domain socket that takes one command per connection and answers it
 * ({@link AdminRequest}, {@link AdminReply}). Two gates: the socket file's mode (0600, pgrouter's
 * user only; 0666 when the {@code admin} block lists users or groups) and the peer's credentials
 * as the kernel gives them ({@link PeerPolicy}). Commands are rare and some wait (a pause waits
 * for sessions to become quiet), so each connection gets a thread of its own, off the event loops.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** The longest request line; a command is a few words. */
    static final int MAX_REQUEST = 1024;
    /** A peer that has not sent its command within this is dropped. */
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    /** Carries out a command; may block (a pause waits). */
    @FunctionalInterface
    public interface Handler {
        AdminReply handle(AdminRequest request);
    }

    private final Path path;
    private final boolean shared;
    private final PeerPolicy policy;
    private final Handler handler;
    private final AtomicInteger connections = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pgrouter-admin-timer"));
    private ServerSocketChannel server;

    public AdminServer(Path path, boolean shared, PeerPolicy policy, Handler handler) {
        this.path = path;
        this.shared = shared;
        this.policy = policy;
        this.handler = handler;
    }

    /**
     * Creates the socket under a temporary name, sets its mode, and renames it into place: it
     * never exists under its name with looser permissions. A live socket there (another pgrouter)
     * is an error; a stale one (left by a crash) is replaced.
     */
    public void start() throws IOException {
        if (Files.exists(path) && answers(path)) {
            throw new IOException("admin socket " + path + " is in use by another process");
        }
        Path temporary = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(temporary);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(shared ? "rw-rw-rw-" : "rw-------"));
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(temporary);
            throw new IOException("cannot create the admin socket " + path + ": " + e.getMessage(), e);
        }
        daemon(this::acceptLoop, "pgrouter-admin").start();
        log.info("admin channel on {} ({})", path, shared ? "mode 0666, peers checked" : "mode 0600");
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel peer = server.accept();
                daemon(() -> serve(peer), "pgrouter-admin-" + connections.incrementAndGet()).start();
            } catch (AsynchronousCloseException closed) {
                return;
            } catch (IOException e) {
                log.warn("admin channel: accept failed: {}", e.toString());
            }
        }
    }

    private void serve(SocketChannel peer) {
        try (peer) {
            UnixDomainPrincipal who = peer.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = who.user().getName();
            // The request is read even from a peer that will be refused: closing with its bytes
            // unread would reset the connection, and it would see that instead of the refusal.
            ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(peer), REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Optional<String> line = readLine(peer);
            watchdog.cancel(false);
            Optional<String> refused = policy.refusal(user, who.group().getName());
            if (refused.isPresent()) {
                log.warn("admin channel: refused user '{}'", user);
                write(peer, AdminReply.error(refused.get()));
                return;
            }
            if (line.isEmpty()) {
                write(peer, AdminReply.error("expected one command line of at most " + MAX_REQUEST + " bytes"));
                return;
            }
            AdminReply reply;
            try {
                AdminRequest request = AdminRequest.parse(line.get());
                log.info("admin channel: '{}' from user '{}'", line.get().strip(), user);
                reply = handler.handle(request);
            } catch (AdminRequest.Invalid e) {
                reply = AdminReply.error(e.getMessage());
            } catch (RuntimeException e) {
                log.error("admin command '{}' failed", line.get(), e);
                reply = AdminReply.error("pgrouter internal error: " + e);
            }
            write(peer, reply);
        } catch (IOException e) {
            log.debug("admin channel: {}", e.toString());
        }
    }

    /** The request line, or empty when the peer sent none (closed early, too long, timed out). */
    static Optional<String> readLine(SocketChannel peer) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST + 1);
        while (buf.hasRemaining()) {
            int before = buf.position();
            if (peer.read(buf) < 0) {
                return Optional.empty();
            }
            for (int i = before; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    return Optional.of(new String(buf.array(), 0, i, StandardCharsets.UTF_8));
                }
            }
        }
        return Optional.empty();
    }

    private static void write(SocketChannel peer, AdminReply reply) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(reply.encode());
        while (out.hasRemaining()) {
            peer.write(out);
        }
    }

    private static void closeQuietly(SocketChannel peer) {
        try {
            peer.close();
        } catch (IOException ignored) {
            // dropping a silent peer
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Closes the socket and removes its file. */
    @Override
    public void close() {
        timer.shutdownNow();
        if (server == null) {
            return;
        }
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("closing the admin socket {}: {}", path, e.toString());
        }
    }
}
