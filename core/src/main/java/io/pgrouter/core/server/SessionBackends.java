package io.pgrouter.core.server;

import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.ClientHold;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The backend connections of one session's pipeline, and those on their way to it: the session
 * is busy while any of them has something open or is still coming. They share the client's
 * back-pressure: while the client cannot take more, no backend is read; while a backend cannot
 * take more, or the pipeline holds client messages, the client is not read. Runs on the session's
 * event loop, like its {@link ClientConnection}.
 */
final class SessionBackends {
    private final List<BackendConnection> backends = new ArrayList<>(2);
    private final ClientConnection session;
    private final ClientHold hold;
    /** Connections being opened or awaited for the pipeline. */
    private int opening;

    SessionBackends(ClientConnection session, ClientHold hold) {
        this.session = session;
        this.hold = hold;
    }

    /** Counts a connection on its way to the pipeline until it arrives or fails. */
    CompletionStage<Backend> opening(CompletionStage<Backend> connection) {
        CompletableFuture<Backend> f = connection.toCompletableFuture();
        if (!f.isDone()) {
            opening++;
            f.whenComplete((b, e) -> opening--);
        }
        return connection;
    }

    /** A connection on its way, or something open on one, by what core saw pass. */
    boolean busy() {
        if (opening > 0) {
            return true;
        }
        for (BackendConnection b : backends) {
            if (!b.isIdle()) {
                return true;
            }
        }
        return false;
    }

    /** Its messages reach the pipeline from now on; while the client cannot take more, it is not read. */
    void adopt(BackendConnection backend) {
        backends.add(backend);
        backend.channel().config().setAutoRead(session.channel().isWritable());
    }

    /**
     * A backend leaves the session (back to the pool); false if it was not the session's. A
     * pooled connection is read while idle (to notice it closing) and must not come to its next
     * session paused by this one's slow client; and the client, if this backend's full buffer had
     * paused it, is read again.
     */
    boolean disown(BackendConnection backend, boolean closing) {
        if (!backends.remove(backend)) {
            return false;
        }
        backend.channel().config().setAutoRead(true);
        if (!session.channel().config().isAutoRead() && !closing) {
            backendWritabilityChanged();
        }
        return true;
    }

    /** A backend closed; false if the pipeline never had it (a login that failed). */
    boolean closed(BackendConnection backend) {
        return backends.remove(backend);
    }

    /** While the client cannot take more, stop reading what would be sent to it. */
    void clientWritabilityChanged() {
        boolean writable = session.channel().isWritable();
        for (BackendConnection b : backends) {
            b.channel().config().setAutoRead(writable);
        }
    }

    /** Reads the client only while every backend can take more, and the pipeline holds none of its messages. */
    void backendWritabilityChanged() {
        boolean all = !hold.holding();
        for (BackendConnection b : backends) {
            all &= b.channel().isWritable();
        }
        session.channel().config().setAutoRead(all);
    }

    /** Flushes every backend that has had writes since the last flush. */
    void flush() {
        for (BackendConnection b : backends) {
            b.flushIfDirty();
        }
    }

    void closeAll() {
        for (BackendConnection b : List.copyOf(backends)) {
            b.close();
        }
    }

    @Override
    public String toString() {
        return "opening " + opening + ", backends " + backends.stream().map(b -> b.isIdle() ? "idle" : "busy").toList();
    }
}
