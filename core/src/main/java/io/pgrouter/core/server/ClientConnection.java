package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.pgrouter.core.protocol.ErrorResponses;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.core.protocol.StartupPacket;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.ClientHold;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs the startup phase, then hands every message to the session's
 * pipeline, and is the {@link Session} that pipeline sees.
 *
 * <p>Everything here runs on the client channel's event loop, and so do the session's backend
 * channels: a session is single-threaded and lock-free.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements Session {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final ServerContext server;
    private final long id = IDS.incrementAndGet();
    private final BackendOpener opener;
    private final SessionBackends backends;
    /** Times the session's requests for the latency histogram; from the accept on. */
    private StatementClock clock;
    private Channel channel;
    private SessionPipeline pipeline;
    /** Client messages the pipeline gave back until it has a backend for them. */
    private final ClientHold hold = new ClientHold(messages -> {
        if (pipeline != null) {
            pipeline.clientMessages(messages);
        } else {
            messages.release();
        }
    });
    private boolean clientDirty;
    private boolean closing;
    /** From the accept to the pipeline's start, and what the session keeps of it. */
    private StartupPhase start;
    private PauseGate pause;

    ClientConnection(ServerContext server) {
        this.server = server;
        this.backends = new SessionBackends(this, hold);
        this.opener = new BackendOpener(this, backends, server);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        start = new StartupPhase(this, server, channel);
        clock = new StatementClock(server.stats().latencies());
        pause = new PauseGate(this, server.sessions(), hold, backends);
        server.sessions().opened(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pipeline != null && msg instanceof ByteBuf messages) {
            toPipeline(messages);
            return;
        }
        start.onRead(msg);
    }

    /** Client requests on their way to the pipeline, unless a pause or a smart shutdown stops them. */
    void toPipeline(ByteBuf messages) {
        clock.fromClient(messages);
        if (!pause.intercept(messages)) {
            hold.fromClient(messages);
        }
    }

    /** The pause is over: see {@link PauseGate#release}. */
    void releaseHeld() {
        pause.release();
    }

    /**
     * A transaction open, a request in flight or a connection being opened for the pipeline, by
     * what core saw pass; a session still logging in is not busy (it holds at its first request).
     */
    boolean isBusy() {
        if (pipeline == null || closing) {
            return false;
        }
        // A pipeline holding client messages waits for a backend for them; the pause's hold is not the session's doing.
        return hold.holding() && !pause.holding() || backends.busy();
    }

    Channel channel() {
        return channel;
    }

    io.netty.channel.ChannelFuture channelClosed() {
        return channel.closeFuture();
    }

    /** The client is logged in (or is to be logged in by the primary): its session begins. */
    void startPipeline() {
        pipeline = server.pipeline().start(this);
        flushAll();
    }

    boolean hasPipeline() {
        return pipeline != null;
    }

    /** Something was written to the client that the next flush must send. */
    void clientWritten() {
        clientDirty = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushAll();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        backends.clientWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    /** A backend's writability changed: see {@link SessionBackends#backendWritabilityChanged}. */
    void backendWritabilityChanged() {
        backends.backendWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.stats().clientClosed(); // admitted when accepted (ProxyServer)
        server.sessions().closed(this);
        start.closed();
        closing = true;
        opener.cancelWaits();
        hold.clear();
        if (pipeline != null) {
            SessionPipeline p = pipeline;
            pipeline = null;
            try {
                p.stop();
            } catch (RuntimeException e) {
                log.warn("session {}: pipeline stop failed", id, e);
            }
        }
        backends.closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException pe && SqlState.OUT_OF_MEMORY.equals(pe.sqlState())) {
            log.warn("session {}: {} from {}", id, pe.getMessage(), channel.remoteAddress());
            fail(pe.sqlState(), pe.getMessage());
        } else if (root instanceof ProtocolException pe) {
            log.info("session {}: protocol violation from {}: {}", id, channel.remoteAddress(), pe.getMessage());
            fail(pe.sqlState(), pe.getMessage());
        } else if (root instanceof OutOfMemoryError) {
            // The JVM's own limit, past the budget's accounting: the client hears PostgreSQL's words for it.
            log.error("session {}: out of memory", id, root);
            fail(SqlState.OUT_OF_MEMORY, "out of memory");
        } else if (root instanceof IOException) {
            log.debug("session {}: client connection error: {}", id, root.toString());
            channel.close();
        } else {
            log.error("session {}: internal error", id, root);
            fail(SqlState.INTERNAL_ERROR, "pgrouter internal error: " + root);
        }
    }

    void cancelRequested() {
        if (pipeline != null) {
            log.debug("session {}: cancel requested", id);
            pipeline.cancel();
            flushAll();
        }
    }

    // ---- backend callbacks -------------------------------------------------------------------

    /** Whole messages, one read's worth, from one of the session's backends. */
    void fromBackend(BackendConnection backend, ByteBuf message) {
        if (pipeline == null) {
            message.release();
            return;
        }
        pipeline.serverMessages(backend, message);
    }

    void backendClosed(BackendConnection backend, Throwable cause) {
        if (!backends.closed(backend)) {
            return;
        }
        if (pipeline != null) {
            pipeline.backendClosed(backend, cause);
            flushAll();
        }
    }

    /** Flushes every channel of the session that has had writes since the last flush. */
    void flushAll() {
        if (clientDirty) {
            clientDirty = false;
            channel.flush();
        }
        backends.flush();
    }

    // ---- Session ------------------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketAddress clientAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Map<String, String> startupParameters() {
        return start.startup().parameters();
    }

    @Override
    public ByteBuf startupMessage() {
        return start.startup().raw().asReadOnly();
    }

    @Override
    public int processId() {
        return CancelKeys.processId(start.cancelKey());
    }

    @Override
    public int secretKey() {
        return CancelKeys.secretKey(start.cancelKey());
    }

    @Override
    public CompletionStage<Void> sendCancel(Endpoint address, int processId, int secretKey) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        server.connector().sendCancel(address, processId, secretKey, channel.eventLoop()).addListener(f -> {
            if (f.isSuccess()) {
                result.complete(null);
            } else {
                log.warn("session {}: could not send a cancel request to {}: {}", id, address, f.cause().toString());
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    @Override
    public ClusterSnapshot cluster() {
        return server.cluster().current();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public CompletionStage<Backend> login(Endpoint address) {
        return backends.opening(opener.login(address));
    }

    @Override
    public boolean authenticatedByPgrouter() {
        return start.login() != null;
    }

    @Override
    public CompletionStage<Backend> acquire(Endpoint address) {
        return backends.opening(opener.acquire(address));
    }

    @Override
    public CompletionStage<Backend> acquirePrimary() {
        return backends.opening(opener.acquirePrimary());
    }

    @Override
    public void release(Backend backend) {
        opener.release(backend, Leftover.NOTHING);
    }

    @Override
    public void release(Backend backend, Leftover leftover) {
        opener.release(backend, leftover);
    }

    @Override
    public CompletionStage<Backend> relayToPrimary() {
        return backends.opening(opener.relayToPrimary());
    }

    // ---- for BackendOpener ----------------------------------------------------------------------

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    boolean isClosing() {
        return closing;
    }

    /** pgrouter's login of the client, or null when the primary authenticates it. */
    ClientLogin clientLogin() {
        return start.login();
    }

    StartupPacket.Startup startup() {
        return start.startup();
    }

    Security security() {
        return start.security();
    }

    @Override
    public void greetClient(Backend backend) {
        byte[] parameterStatus = backend instanceof BackendConnection pooled
                ? pooled.parameterStatusMessages() : Greeting.parameterStatusMessages(backend.parameters());
        toClient(Greeting.rest(channel.alloc(), parameterStatus, processId(), secretKey()));
    }

    @Override
    public boolean greetClientFromPool() {
        byte[] parameterStatus = start.login() == null ? null : opener.rememberedGreeting();
        if (parameterStatus == null) {
            return false;
        }
        toClient(Greeting.rest(channel.alloc(), parameterStatus, processId(), secretKey()));
        return true;
    }

    @Override
    public void routed(Backend backend, Routed kind) {
        ((BackendConnection) backend).routed().count(kind);
    }

    @Override
    public void routedAll(Backend backend, Routed kind) {
        ((BackendConnection) backend).routed().countAll(kind);
    }

    @Override
    public void holdClient(ByteBuf messages) {
        if (closing) {
            messages.release();
            return;
        }
        hold.hold(messages);
        channel.config().setAutoRead(false);
    }

    @Override
    public boolean resumeClient() {
        if (!hold.holding() || pause.holding()) {
            return false; // what the pause holds waits for the resume
        }
        boolean delivered = hold.resume();
        if (!closing) {
            backendWritabilityChanged();
        }
        return delivered;
    }

    @Override
    public void toClient(ByteBuf message) {
        if (closing) {
            message.release();
            return;
        }
        clock.toClient(message);
        channel.write(message, channel.voidPromise());
        clientDirty = true;
    }

    @Override
    public void fail(String sqlState, String message) {
        if (closing) {
            return;
        }
        closing = true;
        channel.writeAndFlush(ErrorResponses.fatal(channel.alloc(), sqlState, message))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
