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
        session.fromBackend(this, (ByteBuf) msg);
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
