package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Lsn;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the WAL position of a session's writes on its primary connection, and tells the client
 * ({@code pgrouter.commit_lsn}, a ParameterStatus). The query that reads it is pipelined right
 * behind the request that commits (an autocommit write, a COMMIT), so its answer arrives just
 * after that request's ReadyForQuery, which is held until then: the client gets the
 * ParameterStatus before the ReadyForQuery, and waits no extra round trip. When pgrouter could
 * not tell in advance that a request commits (a named statement it has not seen parsed, say),
 * the position is asked for after the ReadyForQuery ({@link #askNow}): the ParameterStatus then
 * follows the ReadyForQuery, and the session's reads wait on the primary meanwhile.
 *
 * <p>The position is {@code pg_current_wal_insert_lsn()}: at or after the end of the commit
 * record even with {@code synchronous_commit off}, which a replica reaches once it has replayed
 * the commit.
 */
final class WritePositions {
    private static final Logger log = LoggerFactory.getLogger(WritePositions.class);
    static final String QUERY = "SELECT pg_current_wal_insert_lsn()";
    static final String PARAMETER = "pgrouter.commit_lsn";

    /** What a session does with a position. */
    interface Listener {
        void learned(long position);

        void notLearned();
    }

    /** A position query in flight; {@code afterRequest} is the request it follows, or -1 (asked after the fact). */
    private static final class Pending {
        final long afterRequest;
        ByteBuf heldReady;

        Pending(long afterRequest) {
            this.afterRequest = afterRequest;
        }
    }

    private final Session session;
    private final Listener listener;
    private final Runnable released;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean stopped;

    /** @param released run after a held ReadyForQuery went to the client (queued client messages may go on) */
    WritePositions(Session session, Listener listener, Runnable released) {
        this.session = session;
        this.listener = listener;
        this.released = released;
    }

    /** Pipelines the query behind request number {@code request} (just sent): its ReadyForQuery will be held. */
    void askAfter(Backend primary, long request) {
        ask(primary, new Pending(request));
    }

    /** Asks now, for a write whose ReadyForQuery already went to the client. */
    void askNow(Backend primary) {
        ask(primary, new Pending(-1));
    }

    private void ask(Backend primary, Pending p) {
        pending.add(p);
        primary.queryInternal(QUERY).whenComplete((value, error) -> answered(p, value, error));
    }

    /** A position query is in flight: the session's last write will have a position. */
    boolean coming() {
        return !pending.isEmpty();
    }

    /** ReadyForQuerys held back, not yet given to the client. */
    int holding() {
        int n = 0;
        for (Pending p : pending) {
            if (p.heldReady != null) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@link #hold} would keep the ReadyForQuery answering request number {@code request}. */
    boolean holds(long request) {
        return awaiting(request) != null;
    }

    /**
     * The ReadyForQuery answering request number {@code request}: true when a position query
     * follows that request, and this keeps the message until its answer (taking the reference).
     */
    boolean hold(long request, ByteBuf readyForQuery) {
        Pending p = awaiting(request);
        if (p == null) {
            return false;
        }
        p.heldReady = readyForQuery;
        return true;
    }

    /** The position query behind request number {@code request} whose ReadyForQuery is not held yet, or null. */
    private Pending awaiting(long request) {
        for (Pending p : pending) {
            if (p.afterRequest == request && p.heldReady == null) {
                return p;
            }
        }
        return null;
    }

    private void answered(Pending p, String value, Throwable error) {
        pending.remove(p);
        if (stopped) {
            if (p.heldReady != null) {
                p.heldReady.release();
            }
            return;
        }
        long position = -1;
        if (error == null && value != null) {
            try {
                position = Lsn.parse(value);
            } catch (IllegalArgumentException e) {
                log.debug("session {}: unexpected WAL position {}", session.id(), value);
            }
        }
        if (position >= 0) {
            session.toClient(BackendMessages.parameterStatus(session.alloc(), PARAMETER, Lsn.format(position)));
        } else {
            log.debug("session {}: the position of a write is unknown ({})", session.id(),
                    error != null ? error.getMessage() : "no value");
        }
        if (p.heldReady != null) {
            session.toClient(p.heldReady);
        }
        if (position >= 0) {
            listener.learned(position);
        } else {
            listener.notLearned();
        }
        if (p.heldReady != null) {
            released.run();
        }
    }

    void stop() {
        stopped = true;
        for (Pending p : pending) {
            if (p.heldReady != null) {
                p.heldReady.release();
                p.heldReady = null;
            }
        }
    }
}
