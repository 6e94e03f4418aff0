package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One client session as core offers it to its pipeline. Methods must be called on the session's
 * event loop: from a pipeline callback, or from a task given to {@link #executor()}.
 */
public interface Session {
    /** A number unique in this pgrouter process, for logs. */
    long id();

    /** The client's address. */
    SocketAddress clientAddress();

    /** The parameters of the client's StartupMessage (user, database, options, ...). */
    Map<String, String> startupParameters();

    /**
     * The client's StartupMessage as it arrived (length, protocol version, parameters), for a
     * pipeline that relays authentication to a backend. A read-only view: retain it to keep it.
     */
    ByteBuf startupMessage();

    /**
     * The process id of this session's cancel key, pgrouter's own (random, not a backend's).
     * A pipeline sends the client a BackendKeyData with it and {@link #secretKey()}, instead of
     * the backend's, so that cancelling goes through pgrouter to whichever backend runs the
     * statement.
     */
    int processId();

    /** The secret of this session's cancel key. */
    int secretKey();

    /**
     * Sends a CancelRequest to a backend on a new connection, as PostgreSQL's protocol wants.
     * The stage completes when the request was written (the backend answers nothing).
     */
    CompletionStage<Void> sendCancel(Endpoint address, int processId, int secretKey);

    /** The latest cluster state. */
    ClusterSnapshot cluster();

    /** Allocator for messages the pipeline builds itself. */
    ByteBufAllocator alloc();

    /** Runs a task on the session's event loop. */
    Executor executor();

    /**
     * Connects to the cluster's current primary so that what it says after authentication reaches
     * the pipeline as if relayed from the start. When the primary authenticates the client (no
     * {@code hba}/{@code authdb}), the client's StartupMessage goes to it as it came and the
     * client answers the primary's authentication request through the pipeline. When pgrouter
     * authenticated the client ({@link #authenticatedByPgrouter()}), pgrouter logs in as the
     * client's user and the pipeline sees the primary's messages from the first ParameterStatus
     * on. When there is no primary, or it cannot be reached or refuses the login, pgrouter fails
     * the session itself (57P03, 08006, the backend's error) and the stage completes
     * exceptionally: the pipeline has nothing more to report.
     */
    CompletionStage<Backend> relayToPrimary();

    /**
     * Opens a backend connection and logs in as this session's user, to its database, with the
     * client's startup parameters (application_name, client_encoding, options, ...). pgrouter
     * answers the backend's authentication request itself with what it holds for the user
     * (trust needs nothing; a password request needs the user's secret from the authdb). The
     * stage completes on the session's event loop once the backend is ready for queries, with a
     * {@link Backend} whose {@link Backend#parameters()} and cancel key are known; or
     * exceptionally with a {@link BackendLoginException} carrying the backend's error.
     */
    CompletionStage<Backend> login(Endpoint address);

    /**
     * Whether pgrouter authenticated the client itself (with {@code hba}/{@code authdb}): it then
     * has sent the client AuthenticationOk, and {@link #login} and {@link #acquire} can log into
     * any backend as the client's user. Otherwise only {@link #relayToPrimary} can reach a backend
     * that asks for a password.
     */
    boolean authenticatedByPgrouter();

    /**
     * Like {@link #login}, but first looks for an idle connection in the pool of this session's
     * event loop that was logged in to the same address with the same startup parameters (user,
     * database, options, ...), and reuses it. The session owns the backend until it gives it back
     * with {@link #release}. Completes on the session's event loop.
     */
    CompletionStage<Backend> acquire(Endpoint address);

    /**
     * {@link #acquire} on the cluster's current primary. Like {@link #relayToPrimary}, when there
     * is no primary, or it cannot be reached or refuses the login, pgrouter fails the session
     * itself (57P03, 08006, the backend's error) and the stage completes exceptionally: the
     * pipeline has nothing more to report.
     */
    CompletionStage<Backend> acquirePrimary();

    /**
     * Gives a backend from {@link #acquire} back to the pool, as it is (nothing of the session's
     * state on it is reset; see {@link #release(Backend, Leftover)}). Core pools it only when it
     * saw nothing open on it (a transaction, a request unanswered, a Terminate sent:
     * {@link Backend#isIdle()}) and closes it otherwise. The session receives nothing more from it.
     */
    void release(Backend backend);

    /**
     * What a session may have left on a connection it gives back ({@link #release(Backend, Leftover)}).
     */
    enum Leftover {
        /** Nothing beyond what any session of its pool may see (transaction pooling). */
        NOTHING,
        /**
         * Session state (settings, prepared statements, temporary tables, LISTEN, advisory
         * locks): core runs {@code DISCARD ALL} on it, its answers consumed, before its next
         * session gets it.
         */
        SESSION_STATE
    }

    /**
     * {@link #release(Backend)}, saying what the session may have left on it: with
     * {@link Leftover#SESSION_STATE} the next session to acquire it gets it reset.
     */
    default void release(Backend backend, Leftover leftover) {
        release(backend);
    }

    /**
     * Ends the client's login as PostgreSQL would after AuthenticationOk, for a pipeline that
     * serves it from a backend it did not relay the login to ({@link #acquire}): queues the
     * backend's ParameterStatus values, the session's own BackendKeyData and ReadyForQuery (idle).
     */
    void greetClient(Backend backend);

    /**
     * Ends the client's login like {@link #greetClient}, without a backend: from the
     * ParameterStatus values of an earlier pooled connection to the primary logged in as this
     * client would be (same user, database and startup parameters), as PgBouncer greets from its
     * pool. A client then waits for a server connection at its first statement, not at its
     * login, so a full pool does not hold up clients (pgbench, connection pools) that log in one
     * after another. Returns false, having sent nothing, when core has no such values yet (no
     * pooled connection was ever made for this login) or pgrouter did not authenticate the
     * client: then acquire a backend and {@link #greetClient(Backend)}.
     */
    default boolean greetClientFromPool() {
        return false;
    }

    /**
     * Gives client messages back to core because the pipeline cannot take them yet (it waits for
     * a backend): core keeps them, and everything the client sends after them, in order, reads
     * no more from the client meanwhile, and delivers them again through
     * {@link SessionPipeline#clientMessages} at {@link #resumeClient()}. Call it from
     * {@code clientMessages} or {@code client} with the message(s) at hand (with
     * {@code client}, each following message of the same read comes back too, in order: hold
     * them as well). Takes over the caller's reference; what is held when the session ends is
     * released by core.
     */
    void holdClient(ByteBuf messages);

    /**
     * Delivers what {@link #holdClient} held, in order, before this returns (until the pipeline
     * holds again), and reads the client again. Returns whether anything was delivered.
     */
    boolean resumeClient();

    /**
     * Queues a message for the client, taking over the caller's reference. Core flushes once per
     * burst, after the current callback returns.
     */
    void toClient(ByteBuf message);

    /**
     * Counts a client request (a Query, an extended-protocol group up to its Sync, a FunctionCall)
     * this session sent {@code backend}, as {@code kind}: once per request, where the pipeline
     * knows the request will not run elsewhere (a read a replica may still refuse is counted when
     * its answer starts reaching the client). Cheap: no allocation, a counter core holds per
     * backend and kind. Core does not check that a request was sent; pipelines that do not call
     * it leave the counts empty.
     */
    default void routed(Backend backend, Routed kind) {
    }

    /**
     * Counts every request the pipeline sends {@code backend} with {@link Backend#send} from now
     * on as {@code kind}, as core sees them pass (Query, Sync, FunctionCall), until the backend
     * is released or closed: for a pipeline that relays bytes without looking at them. Do not
     * also call {@link #routed} for that backend.
     */
    default void routedAll(Backend backend, Routed kind) {
    }

    /**
     * Ends the session with a FATAL ErrorResponse carrying this SQLSTATE and message, then closes
     * the client connection. {@link SessionPipeline#stop()} follows.
     */
    void fail(String sqlState, String message);

    /** Closes the client connection without a message (after the client's Terminate). */
    void close();
}
