package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.SqlState;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicaLink}'s logins: the read that waits for the one under way, and where one failed
 * lately. A replica that refused a login is not tried again until the watcher publishes another
 * snapshot, so that reads do not each pay for a failed login before going to the primary.
 */
final class ReplicaLogin {
    /** The link's logger: a replica's story reads in one place, whichever class tells it. */
    private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);

    /**
     * A read waiting for a login to end: run then once the replica has replayed {@code required}
     * (0: at once), by {@code deadlineNanos}, else by {@code fallback} (null when nothing is
     * required). A login that fails sends it to the primary.
     */
    record PendingRead(ByteBuf request, boolean parsesUnnamed, List<String> namedReads, long required,
            long deadlineNanos, Consumer<ByteBuf> fallback) {
    }

    private final Session session;
    /** The read waiting for the login under way; null when none is, or the session gave it up. */
    private PendingRead waiting;
    private Endpoint failedAt;
    private long failedGeneration = -1;

    ReplicaLogin(Session session) {
        this.session = session;
    }

    /**
     * Logs into {@code target} for {@code read}, then hands {@code then} the read and the new
     * connection, or null for it when the login failed. When the session gave the read up
     * meanwhile ({@link #abandon}), the connection is closed and {@code then} hears nothing.
     */
    void start(Endpoint target, PendingRead read, BiConsumer<PendingRead, Backend> then) {
        waiting = read;
        // With pgrouter's own authentication, replica connections are pooled like the primary's.
        (session.authenticatedByPgrouter() ? session.acquire(target) : session.login(target)).whenComplete((b, error) -> {
            try {
                ended(target, b, error, then);
            } catch (RuntimeException e) {
                log.error("session {}: replica setup failed", session.id(), e);
                session.fail(SqlState.INTERNAL_ERROR, "pgrouter: internal error: " + e);
            }
        });
    }

    private void ended(Endpoint target, Backend b, Throwable error, BiConsumer<PendingRead, Backend> then) {
        PendingRead read = waiting;
        waiting = null;
        if (read == null) { // abandoned: the session is over
            if (b != null) {
                b.close();
            }
            return;
        }
        if (error != null) {
            log.debug("session {}: no replica this time ({}): {}", session.id(), target, error.toString());
            failedAt = target;
            failedGeneration = session.cluster().generation();
        }
        then.accept(read, error == null ? b : null);
    }

    /** The session ends during the login: its read goes nowhere. */
    void abandon() {
        if (waiting != null) {
            waiting.request().release();
            waiting = null;
        }
    }

    /** A login to this replica failed since the watcher last published a snapshot. */
    boolean recentlyFailed(Endpoint address) {
        return address.equals(failedAt) && session.cluster().generation() == failedGeneration;
    }
}
