package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;

/**
 * One backend connection of a session: passes every message from the backend to the session's
 * pipeline, and is the {@link Backend} that pipeline writes to. Runs on the session's event loop.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter implements Backend {
    private final ClientConnection session;
    private final Endpoint address;
    private final ConnectionStats stats;
    private Channel channel;
    private boolean dirty;
    private Throwable failure;
    /** While pgrouter logs in on the client's behalf: the exchange and who waits for it. */
    private LoginExchange login;
    private java.util.concurrent.CompletableFuture<io.pgrouter.spi.pipeline.Backend> loggedIn;
    private java.util.Map<String, String> parameters = java.util.Map.of();
    private int processId;
    private int secretKey;

    BackendConnection(ClientConnection session, Endpoint address, ConnectionStats stats) {
        this.session = session;
        this.address = address;
        this.stats = stats;
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
        if (login != null) {
            loginStep((ByteBuf) msg);
            return;
        }
        session.fromBackend(this, (ByteBuf) msg);
    }

    /** Starts logging in with the client's startup packet; {@code result} completes at ReadyForQuery. */
    void startLogin(ByteBuf startupMessage, LoginExchange exchange,
            java.util.concurrent.CompletableFuture<io.pgrouter.spi.pipeline.Backend> result) {
        login = exchange;
        loggedIn = result;
        channel.writeAndFlush(startupMessage, channel.voidPromise());
    }

    private void loginStep(ByteBuf message) {
        LoginExchange.Step step;
        try {
            step = login.onMessage(message, channel.alloc());
        } finally {
            message.release();
        }
        if (step instanceof LoginExchange.Reply reply) {
            channel.writeAndFlush(reply.message(), channel.voidPromise());
        } else if (step instanceof LoginExchange.Done done) {
            parameters = done.parameters();
            processId = done.processId();
            secretKey = done.secretKey();
            login = null;
            loggedIn.complete(this);
        } else if (step instanceof LoginExchange.Failed failed) {
            login = null;
            loggedIn.completeExceptionally(failed.error());
            channel.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.flushAll();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.backendWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.backendClosed();
        if (login != null) {
            login = null;
            loggedIn.completeExceptionally(new io.pgrouter.spi.pipeline.BackendLoginException(
                    io.pgrouter.core.protocol.SqlState.CONNECTION_FAILURE, "the backend " + address
                    + " closed the connection during login" + (failure == null ? "" : ": " + failure), java.util.Map.of()));
            return; // the session never had this backend
        }
        session.backendClosed(this, failure);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause;
        ctx.close();
    }

    void flushIfDirty() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    /** The tls-server-end-point channel binding of the backend's certificate, or null without TLS. */
    byte[] tlsServerEndPoint() {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return tls == null ? null
                : io.pgrouter.core.tls.ChannelBindings.forPeerCertificate(tls.engine().getSession()).orElse(null);
    }

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
        channel.write(message, channel.voidPromise());
        dirty = true;
    }

    @Override
    public java.util.Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public int processId() {
        return processId;
    }

    @Override
    public int secretKey() {
        return secretKey;
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
