package io.pgrouter.spi.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.pipeline.ClientHold;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.MessageType;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A client session as core would offer it to a pipeline, for unit tests of the pipeline's state
 * machine, message by message and without PostgreSQL.
 *
 * <pre>{@code
 * FakeSession session = new FakeSession().pgrouterAuthenticates(true);
 * session.start(TransactionSession::new);
 * FakeBackend primary = session.grant();               // completes acquirePrimary()
 * session.clientRead(session.query("SELECT 1"));
 * assertEquals("Q", primary.takeSentTypes());
 * primary.serverRead(session.commandComplete("SELECT 1"), session.readyForQuery(BackendMessages.IDLE));
 * assertEquals(List.of(primary), session.released());
 * session.finish();                                    // stop(), then: every buffer released?
 * }</pre>
 *
 * <p>What the pipeline sends the client and each backend is recorded ({@link Recorded}) and
 * released, as core does once written. What it asks for ({@code acquirePrimary}, {@code acquire},
 * {@code login}, {@code relayToPrimary}, {@code connect}) waits in {@link #requests()} until the
 * test {@link #grant}s or {@link #refuse}s it. Like core, the fake runs {@code backendClosed}
 * for a backend the pipeline closed and {@code stop} for a session it failed or closed after the
 * callback at hand returns. Every buffer comes from {@link #alloc()}, which remembers them all:
 * {@link #finish()} fails when one was not released. Not thread-safe: the test is the event loop.
 */
public final class FakeSession implements Session {
    private int clientWrites;
    /** What a pipeline asked core for. */
    public enum Kind { RELAY_TO_PRIMARY, LOGIN, ACQUIRE, ACQUIRE_PRIMARY }

    /** A request waiting for the test to {@link #grant} or {@link #refuse} it. */
    public record Request(Kind kind, Endpoint target, CompletableFuture<Backend> stage) {
    }

    /** Where the default cluster's primary listens. */
    public static final Endpoint PRIMARY = new Endpoint("primary", 5432);
    /** Where the default cluster's replica listens. */
    public static final Endpoint REPLICA = new Endpoint("replica1", 5432);

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final List<Recorded> toClient = new ArrayList<>();
    private final BackendRequests requests = new BackendRequests(this);
    private final List<String> cancels = new ArrayList<>();
    private final List<String> routed = new ArrayList<>();
    private final CallbackOrder callbacks = new CallbackOrder();
    private ClusterSnapshot cluster = snapshot(1, PRIMARY, REPLICA);
    private boolean pgrouterAuthenticates;
    private Map<String, String> startupParameters = Map.of("user", "app", "database", "app");
    private boolean greetsFromPool;
    private SessionPipeline pipeline;
    private String failure;
    private String failureMessage;
    private boolean closed;
    private final ClientHold hold = new ClientHold(messages -> pipeline().clientMessages(messages));

    // ---- setting up ---------------------------------------------------------------------------------

    /** The client's startup parameters; {@code user} and {@code database} {@code app} by default. */
    public FakeSession startupParameters(Map<String, String> parameters) {
        startupParameters = Map.copyOf(parameters);
        return this;
    }

    /** Whether pgrouter authenticated the client ({@link #authenticatedByPgrouter()}); false by default. */
    public FakeSession pgrouterAuthenticates(boolean value) {
        pgrouterAuthenticates = value;
        return this;
    }

    /**
     * Whether {@link #greetClientFromPool()} greets (core has pooled this login before); false by
     * default, as for the first client of a login.
     */
    public FakeSession greetsFromPool(boolean value) {
        greetsFromPool = value;
        return this;
    }

    /** The cluster the pipeline sees from now on; by default {@link #PRIMARY} and {@link #REPLICA}, generation 1. */
    public FakeSession cluster(ClusterSnapshot snapshot) {
        cluster = snapshot;
        return this;
    }

    /** A snapshot with an OK primary and OK, caught-up replicas (weight 1), none of them lagging. */
    public static ClusterSnapshot snapshot(long generation, Endpoint primary, Endpoint... replicas) {
        return HealthyCluster.snapshot(generation, primary, replicas);
    }

    /** Builds the pipeline's session handler with this session, as core does when a client logged in. */
    public <P extends SessionPipeline> P start(Function<Session, P> pipelineFactory) {
        P p = callbacks.get(() -> pipelineFactory.apply(this));
        pipeline = p;
        runLater();
        return p;
    }

    SessionPipeline pipeline() {
        if (pipeline == null) {
            throw new IllegalStateException("no pipeline: call start() first");
        }
        return pipeline;
    }

    // ---- playing the client and core ----------------------------------------------------------------

    /** A message of this type whose body is {@code body} in UTF-8 ({@code \0} for the NULs), from {@link #alloc()}. */
    public ByteBuf message(byte type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(5 + b.length).writeByte(type).writeInt(4 + b.length).writeBytes(b);
    }

    /** A message of this type with an empty body (ParseComplete, Sync, Terminate, ...). */
    public ByteBuf message(byte type) {
        return message(type, "");
    }

    /** A Query running {@code sql}, as the client sends it. */
    public ByteBuf query(String sql) {
        return FrontendMessages.query(alloc, sql);
    }

    /** A CommandComplete with this tag ({@code "SELECT 1"}, {@code "INSERT 0 1"}, ...), as a server sends it. */
    public ByteBuf commandComplete(String tag) {
        return message(MessageType.Backend.COMMAND_COMPLETE, tag + "\0");
    }

    /** A ReadyForQuery with this status ({@code BackendMessages.IDLE}, ...), as a server sends it. */
    public ByteBuf readyForQuery(byte status) {
        return BackendMessages.readyForQuery(alloc, status);
    }

    /** One read from the client: the messages, in one buffer, to {@code clientMessages}. */
    public void clientRead(ByteBuf... messages) {
        ByteBuf read = alloc.oneRead(messages);
        deliver(() -> hold.fromClient(read));
    }

    /** One message from the client, to {@code client}. */
    public void clientMessage(ByteBuf message) {
        deliver(() -> {
            if (hold.holding()) {
                hold.fromClient(message);
            } else {
                pipeline().client(message);
            }
        });
    }

    /** The client asked to cancel (a CancelRequest with the session's key): {@code cancel}. */
    public void clientCancels() {
        deliver(() -> pipeline().cancel());
    }

    /** The requests the pipeline made and the test has not answered yet, oldest first. */
    public List<Request> requests() {
        return requests.waiting();
    }

    /** Completes the oldest request with a new backend at its target: a fresh connection, logged in. */
    public FakeBackend grant() {
        return grant(newBackend(requests.oldest().target()));
    }

    /** A fresh backend connection, to set up ({@link FakeBackend#parameter}) before {@link #grant(FakeBackend)}. */
    public FakeBackend newBackend(Endpoint address) {
        return requests.newBackend(address);
    }

    /**
     * Completes the oldest request with this backend: one the pool kept, say, attachment and all,
     * perhaps released by another FakeSession. What it was sent before is forgotten.
     */
    public FakeBackend grant(FakeBackend backend) {
        return requests.grant(backend);
    }

    /**
     * Completes the oldest request exceptionally, with a {@link BackendLoginException}. For
     * {@code acquirePrimary} and {@code relayToPrimary} the session fails first, as core fails it
     * itself ({@link #failure()} is then this SQLSTATE).
     */
    public void refuse(String sqlState, String message) {
        requests.refuse(sqlState, message);
    }

    /** The client went away without a Terminate: {@code stop}. */
    public void clientGone() {
        closed = true;
        deliver(() -> {
        });
    }

    // ---- what the test looks at ---------------------------------------------------------------------

    /** Everything the pipeline sent the client, in order. */
    public List<Recorded> toClient() {
        return toClient;
    }

    /** How many times the pipeline wrote to the client: a batch passed on whole counts once. */
    public int clientWrites() {
        return clientWrites;
    }

    /** The type letters of {@link #toClient()}, e.g. {@code "CZ"}. */
    public String toClientTypes() {
        return Recorded.types(toClient);
    }

    /** {@link #toClientTypes()}, then forgets what was sent: the next assertion sees only what follows. */
    public String takeToClientTypes() {
        String types = toClientTypes();
        toClient.clear();
        return types;
    }

    /** The backends given back with {@link #release}, still in the pool (a {@link #grant} takes one out). */
    public List<Backend> released() {
        return requests.released();
    }

    /**
     * What the pipeline counted ({@link #routed}, {@link #routedAll}) since the last call, in
     * order, as {@code "host:port kind"} (or {@code "host:port all kind"}); the list is emptied.
     */
    public List<String> takeRouted() {
        List<String> taken = List.copyOf(routed);
        routed.clear();
        return taken;
    }

    /** The cancel requests sent, as {@code "host:port pid key"}. */
    public List<String> cancels() {
        return cancels;
    }

    /** The SQLSTATE the session was failed with, or null. */
    public String failure() {
        return failure;
    }

    /** The message the session was failed with, or null. */
    public String failureMessage() {
        return failureMessage;
    }

    /** Whether the pipeline closed or failed the session (or the client went). */
    public boolean closed() {
        return closed;
    }

    /** Whether the pipeline holds client messages ({@link #holdClient}) that core would keep until it resumes. */
    public boolean holdsClient() {
        return hold.holding();
    }

    /** Whether the pipeline's {@code stop} ran. */
    public boolean stopped() {
        return callbacks.stopped();
    }

    /**
     * Ends the session if it still runs (the client goes: {@code stop}), then checks that every
     * buffer allocated from {@link #alloc()} (the pipeline's and the test's) was released.
     */
    public void finish() {
        if (!callbacks.stopped()) {
            clientGone();
        }
        List<String> leaked = alloc.unreleased();
        if (!leaked.isEmpty()) {
            throw new AssertionError(leaked.size() + " buffer(s) not released: " + leaked);
        }
    }

    // ---- Session ------------------------------------------------------------------------------------

    @Override
    public long id() {
        return 1;
    }

    @Override
    public SocketAddress clientAddress() {
        return InetSocketAddress.createUnresolved("client", 50000);
    }

    @Override
    public Map<String, String> startupParameters() {
        return startupParameters;
    }

    @Override
    public ByteBuf startupMessage() {
        byte[] params = "user\0app\0database\0app\0\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuf header = Unpooled.wrappedBuffer(new byte[8]).setInt(0, 8 + params.length).setInt(4, 196608);
        return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(params)).asReadOnly();
    }

    @Override
    public int processId() {
        return 4242;
    }

    @Override
    public int secretKey() {
        return 2424;
    }

    @Override
    public CompletionStage<Void> sendCancel(Endpoint address, int processId, int secretKey) {
        cancels.add(address + " " + processId + " " + secretKey);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public ClusterSnapshot cluster() {
        return cluster;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** The messages as one read, in one buffer from {@link #alloc()}; the messages are released. */
    ByteBuf oneRead(ByteBuf... messages) {
        return alloc.oneRead(messages);
    }

    @Override
    public Executor executor() {
        return task -> later(task);
    }


    @Override
    public CompletionStage<Backend> relayToPrimary() {
        return requests.add(Kind.RELAY_TO_PRIMARY, primaryAddress());
    }

    @Override
    public CompletionStage<Backend> login(Endpoint address) {
        return requests.add(Kind.LOGIN, address);
    }

    @Override
    public boolean authenticatedByPgrouter() {
        return pgrouterAuthenticates;
    }

    @Override
    public CompletionStage<Backend> acquire(Endpoint address) {
        return requests.add(Kind.ACQUIRE, address);
    }

    @Override
    public CompletionStage<Backend> acquirePrimary() {
        return requests.add(Kind.ACQUIRE_PRIMARY, primaryAddress());
    }

    @Override
    public void release(Backend backend) {
        release(backend, Leftover.NOTHING);
    }

    /** Keeps the backend as the pool would; core would reset it (DISCARD ALL) before lending it again when state was left. */
    @Override
    public void release(Backend backend, Leftover leftover) {
        requests.release(backend, leftover);
    }

    /** Queues the backend's ParameterStatus values, the session's BackendKeyData and ReadyForQuery (idle). */
    @Override
    public void greetClient(Backend backend) {
        for (Map.Entry<String, String> p : backend.parameters().entrySet()) {
            toClient(message(MessageType.Backend.PARAMETER_STATUS, p.getKey() + "\0" + p.getValue() + "\0"));
        }
        toClient(alloc.buffer(13).writeByte(MessageType.Backend.BACKEND_KEY_DATA).writeInt(12).writeInt(processId())
                .writeInt(secretKey()));
        toClient(BackendMessages.readyForQuery(alloc, BackendMessages.IDLE));
    }

    /** When {@link #greetsFromPool(boolean)}: pgrouter's BackendKeyData and ReadyForQuery (idle), and true. */
    @Override
    public boolean greetClientFromPool() {
        if (!greetsFromPool || !pgrouterAuthenticates) {
            return false;
        }
        greetClient(newBackend(primaryAddress()));
        return true;
    }

    /** Records it: see {@link #takeRouted()}. */
    @Override
    public void routed(Backend backend, Routed kind) {
        routed.add(backend.address() + " " + kind.label());
    }

    /** Records it as {@code "host:port all kind"}: see {@link #takeRouted()}. */
    @Override
    public void routedAll(Backend backend, Routed kind) {
        routed.add(backend.address() + " all " + kind.label());
    }

    @Override
    public void holdClient(ByteBuf messages) {
        hold.hold(messages);
    }

    /** Delivers what is held now, inside the callback at hand, as core does. */
    @Override
    public boolean resumeClient() {
        return hold.holding() && hold.resume();
    }

    @Override
    public void toClient(ByteBuf message) {
        clientWrites++;
        Recorded.record(message, true, toClient);
    }

    @Override
    public void fail(String sqlState, String message) {
        if (failure == null) {
            failure = sqlState;
            failureMessage = message;
        }
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---- internals ----------------------------------------------------------------------------------

    private Endpoint primaryAddress() {
        return cluster.primary().map(BackendState::address).orElse(PRIMARY);
    }

    /** Runs a task after the callback at hand, or now when none runs (the test itself called). */
    void later(Runnable task) {
        if (!callbacks.later(task)) {
            runLater();
        }
    }

    /** Runs a callback as core would: then what follows it (backendClosed, stop). */
    void deliver(Runnable callback) {
        callbacks.run(callback);
        runLater();
    }

    private void runLater() {
        callbacks.runLater();
        if (closed && !callbacks.stopped() && pipeline != null) {
            callbacks.stop(pipeline::stop);
            hold.clear();
        }
    }
}
