package io.pgrouter.core.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.pgrouter.core.protocol.FrameDecoder;
import io.pgrouter.spi.cluster.Endpoint;
import java.time.Duration;

/** Opens backend connections on the event loop of the session that asks for them. */
final class BackendConnector {
    private final Transport transport;
    private final ConnectionStats stats;
    private final int maxMessageSize;
    private final io.pgrouter.core.protocol.BufferBudget budget;
    private final int connectTimeoutMillis;

    BackendConnector(Transport transport, ConnectionStats stats, int maxMessageSize,
            io.pgrouter.core.protocol.BufferBudget budget, Duration connectTimeout) {
        this.budget = budget;
        this.transport = transport;
        this.stats = stats;
        this.maxMessageSize = maxMessageSize;
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
    }

    /**
     * Opens a connection to a backend, sends a CancelRequest and closes it; the future completes
     * when the request was written.
     */
    Future<Void> sendCancel(Endpoint address, int processId, int secretKey, EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter());
        io.netty.util.concurrent.Promise<Void> promise = loop.newPromise();
        b.connect(address.host(), address.port()).addListener((io.netty.channel.ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            io.netty.buffer.ByteBuf request = f.channel().alloc().buffer(16)
                    .writeInt(16).writeInt(io.pgrouter.core.protocol.ProtocolCodes.CANCEL_REQUEST)
                    .writeInt(processId).writeInt(secretKey);
            f.channel().writeAndFlush(request).addListener((io.netty.channel.ChannelFutureListener) w -> {
                w.channel().close();
                if (w.isSuccess()) {
                    promise.setSuccess(null);
                } else {
                    promise.setFailure(w.cause());
                }
            });
        });
        return promise;
    }

    /**
     * Connects, and with {@code tls} starts TLS first; the future's value is the connected channel,
     * its pipeline ending in a {@link BackendConnection}, ready for the startup message. The
     * connection holds {@code permit} and gives it back when it closes; when the connect fails the
     * caller gives it back.
     */
    Future<Channel> connect(ClientConnection session, Endpoint address, io.netty.handler.ssl.SslContext tls,
            EventLoop loop, ServerBudget.Permit permit) {
        io.netty.util.concurrent.Promise<Channel> promise = loop.newPromise();
        Bootstrap b = new Bootstrap()
                .group(loop) // same loop as the client: the session stays single-threaded
                .channel(transport.socketChannel())
                .option(ChannelOption.SO_KEEPALIVE, true) // TCP_NODELAY is Netty's default, as in ProxyServer
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls-start", new BackendTlsStart(tls, address, promise));
                        }
                        ch.pipeline().addLast("frames", new FrameDecoder(maxMessageSize, budget));
                        ch.pipeline().addLast("backend", new BackendConnection(session, address, stats, permit));
                    }
                });
        transport.tuneConnections(b);
        io.netty.channel.ChannelFuture connect = b.connect(address.host(), address.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            } else if (tls == null) {
                promise.trySuccess(connect.channel());
            } // else BackendTlsStart completes it after the handshake
        });
        return promise;
    }
}
