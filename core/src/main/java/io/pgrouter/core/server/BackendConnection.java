package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.core.tls.ChannelBindings;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.pipeline.Messages;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.RequestTracker;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One backend connection: passes every message from the backend to the pipeline of the session
 * that owns it, and is the {@link Backend} that pipeline writes to. Runs on its owner's event
 * loop. A pooled connection has no owner while idle in its loop's {@link ServerPool}.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter implements Backend {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BackendConnection.class);
    private final Endpoint address;
    private final ConnectionStats stats;
    private final java.util.concurrent.atomic.LongAdder requests;
    private final RoutedCounter routed;
    private ClientConnection owner;
    /** Who heard from this connection in the current read burst (it may have been released meanwhile). */
    private ClientConnection toFlush;
    private Channel channel;
    private boolean dirty;
    private Throwable failure;
    private final BackendLogin login = new BackendLogin();
    /** Set for a connection that may be pooled: which sessions may reuse it. */
    private ServerPool.Key poolKey;
    /** The pool holding it while idle, else null. */
    private ServerPool pool;
    private long idleSince;
    private Object attachment;
    /** Its place in the pool limits, given back when it closes. */
    private final ServerBudget.Permit permit;
    private final long openedAt = System.nanoTime();
    /** What is open on it and whose its answers are, from the bytes passed both ways after the login. */
    private final RequestTracker activity = new RequestTracker();
    private final ReuseCheck reuseCheck = new ReuseCheck(this, activity);
    /** A session left its state on it: reset before the next session gets it. */
    private boolean needsReset;

    BackendConnection(ClientConnection owner, Endpoint address, ConnectionStats stats, ServerBudget.Permit permit) {
        this.owner = owner;
        this.address = address;
        this.stats = stats;
        this.requests = stats.requestCounter(address);
        this.routed = new RoutedCounter(stats.routedCounters(address));
        this.permit = permit;
    }

    ServerBudget.Permit permit() {
        return permit;
    }

    /** How long ago it connected, for {@code server_lifetime}. */
    long ageNanos() {
        return System.nanoTime() - openedAt;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Set before the connect future completes: its listeners may send at once.
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.backendOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        deliver((ByteBuf) msg); // whole messages, as many as the read completed
    }

    private void deliver(ByteBuf messages) {
        if (login.exchanging()) {
            loginSteps(messages);
        } else if (owner != null) {
            toFlush = owner;
            if (login.relaying()) {
                login.swapCancelKey(messages);
            }
            if (!activity.internalPending()) {
                activity.received(messages);
                owner.fromBackend(this, messages);
            } else {
                withoutInternalAnswers(messages);
            }
        } else if (reuseCheck.running()) {
            reuseCheck.answers(messages);
        } else {
            idleMessages(messages);
        }
    }

    /** The rest of this backend's login is relayed to the client of a session with this cancel key. */
    void relayLogin(int sessionProcessId, int sessionSecretKey) {
        login.relay(sessionProcessId, sessionSecretKey);
    }

    /**
     * Passes on what the owner must see of a run that holds answers to internal requests: each
     * of its ranges, in order, to whoever owns the connection by then (a pipeline may give it
     * back on one of them).
     */
    private void withoutInternalAnswers(ByteBuf messages) {
        long errorsBefore = activity.internalErrors();
        try {
            activity.received(messages, (from, to) -> {
                if (owner != null) {
                    owner.fromBackend(this, messages.retainedSlice(from, to - from));
                }
            });
        } finally {
            messages.release();
        }
        if (activity.internalErrors() != errorsBefore) {
            log.debug("{}: a request sent on a session's behalf (reset, mirrored setting) failed", this);
        }
    }

    /**
     * An idle pooled connection spoke: a ParameterStatus or NOTICE is harmless, anything else
     * (a FATAL before a shutdown) means it cannot be trusted with a session any more.
     */
    private void idleMessages(ByteBuf messages) {
        try {
            for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
                byte type = messages.getByte(at);
                if (type != 'S' && type != 'N') {
                    channel.close();
                    return;
                }
            }
        } finally {
            messages.release();
        }
    }

    /** Login messages one step each; whatever follows the end of the login goes where it belongs. */
    private void loginSteps(ByteBuf messages) {
        try {
            int end = messages.writerIndex();
            int at = messages.readerIndex();
            while (at < end && login.exchanging()) {
                int next = Messages.next(messages, at);
                loginStep(messages.slice(at, next - at));
                at = next;
            }
            if (at < end && channel.isActive()) {
                deliver(messages.retainedSlice(at, end - at));
            }
        } finally {
            messages.release();
        }
    }

    /** Starts logging in with the client's startup packet; {@code result} completes at ReadyForQuery. */
    void startLogin(ByteBuf startupMessage, LoginExchange exchange, CompletableFuture<Backend> result) {
        login.start(exchange, result);
        channel.writeAndFlush(startupMessage, channel.voidPromise());
    }

    /** One login message; the caller keeps the reference. */
    private void loginStep(ByteBuf message) {
        LoginExchange.Step step = login.step(message, channel.alloc(), this);
        if (step instanceof LoginExchange.Reply reply) {
            channel.writeAndFlush(reply.message(), channel.voidPromise());
        } else if (step instanceof LoginExchange.Failed) {
            channel.close();
            flushOwner(); // what the pipeline wrote on hearing it, outside any callback of its session
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // The session that got this burst's messages, even if it gave the connection back since.
        ClientConnection session = toFlush != null ? toFlush : owner;
        toFlush = null;
        if (session != null) {
            session.flushAll();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.backendWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.backendClosed();
        permit.release();
        reuseCheck.done(false);
        activity.closed(); // internal queries still waiting fail (the pipeline hears of the close next)
        if (login.exchanging()) {
            login.lost(new BackendLoginException(SqlState.CONNECTION_FAILURE, "the backend "
                    + address + " closed the connection during login" + (failure == null ? "" : ": " + failure), Map.of()));
            flushOwner();
            return; // the session never had this backend
        }
        if (pool != null) {
            pool.remove(this);
        } else if (owner != null) {
            owner.backendClosed(this, failure);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        if (owner != null && cause instanceof io.pgrouter.core.protocol.ProtocolException refused
                && SqlState.OUT_OF_MEMORY.equals(refused.sqlState())) {
            // A message from the backend the budget cannot hold: the session's client hears why.
            log.warn("session {}: {} from {}", owner.id(), refused.getMessage(), address);
            owner.fail(refused.sqlState(), refused.getMessage());
        }
        ctx.close();
    }

    private void flushOwner() {
        if (owner != null) {
            owner.flushAll();
        }
    }

    void flushIfDirty() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    // ---- pooling ------------------------------------------------------------------------------

    void poolKey(ServerPool.Key key) {
        this.poolKey = key;
    }

    /** Its backend's routed counts, for its session ({@link ClientConnection#routed}). */
    RoutedCounter routed() {
        return routed;
    }

    ServerPool.Key poolKey() {
        return poolKey;
    }

    /** Hands an idle connection to the pool; from now on no session hears from it. */
    void parkIn(ServerPool idlePool) {
        flushIfDirty();
        owner = null;
        routed.reset();
        pool = idlePool;
        idleSince = System.nanoTime();
        idlePool.put(this);
    }

    /** Takes a parked connection out of its pool without giving it to a session (yet). */
    void unpark() {
        pool = null;
    }

    /** Takes a connection out of its pool (or straight from the session that gave it back) for a session. */
    void adoptBy(ClientConnection session) {
        flushIfDirty();
        pool = null;
        owner = session;
        routed.reset();
    }

    long idleSince() {
        return idleSince;
    }

    /**
     * Runs {@code query} on a connection taken out of its pool, before any session gets it
     * ({@code server_check_query}): the future says, on this connection's loop, whether it
     * answered without an error within {@code timeout}. One that did not is closed.
     */
    CompletableFuture<Boolean> check(String query, java.time.Duration timeout) {
        return reuseCheck.start(query, timeout);
    }

    /** The tls-server-end-point channel binding of the backend's certificate, or null without TLS. */
    byte[] tlsServerEndPoint() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        return tls == null ? null : ChannelBindings.forPeerCertificate(tls.engine().getSession()).orElse(null);
    }

    // ---- Backend ------------------------------------------------------------------------------

    @Override
    public Endpoint address() {
        return address;
    }

    @Override
    public void send(ByteBuf message) {
        if (!channel.isActive()) {
            message.release();
            return;
        }
        int requestCount = activity.sent(message);
        if (requestCount > 0) {
            requests.add(requestCount);
            routed.sent(requestCount);
        }
        channel.write(message, channel.voidPromise());
        dirty = true;
    }

    @Override
    public void sendInternal(ByteBuf requests) {
        if (!channel.isActive()) {
            requests.release();
            return;
        }
        activity.sent(requests, true);
        channel.write(requests, channel.voidPromise());
        dirty = true;
    }

    @Override
    public java.util.concurrent.CompletionStage<String> queryInternal(String sql) {
        io.pgrouter.spi.protocol.FirstValue answer = new io.pgrouter.spi.protocol.FirstValue();
        if (!channel.isActive()) {
            answer.lost();
            return answer.result();
        }
        ByteBuf query = FrontendMessages.query(channel.alloc(), sql);
        activity.sentInternal(query, answer);
        channel.write(query, channel.voidPromise());
        dirty = true;
        return answer.result();
    }

    /** Marks it as holding a session's state: {@link #resetIfUsed} resets it for the next one. */
    void leftWithSessionState() {
        needsReset = true;
    }

    /** Before another session gets it: DISCARD ALL when the last one left its state on it. */
    void resetIfUsed() {
        if (needsReset) {
            needsReset = false;
            sendInternal(FrontendMessages.query(channel.alloc(), "DISCARD ALL"));
        }
    }

    /** Nothing is open on it, by what core saw pass: it may serve another session. */
    @Override
    public boolean isIdle() {
        return activity.idle();
    }

    @Override
    public Map<String, String> parameters() {
        return login.parameters();
    }

    /** {@link #parameters()} as ParameterStatus messages, for greeting each client it serves. */
    byte[] parameterStatusMessages() {
        return login.parameterStatusMessages();
    }

    @Override
    public int processId() {
        return login.processId();
    }

    @Override
    public int secretKey() {
        return login.secretKey();
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attachment(Object value) {
        attachment = value;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "backend " + address;
    }
}
