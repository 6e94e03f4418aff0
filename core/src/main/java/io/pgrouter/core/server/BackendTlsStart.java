package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.pgrouter.core.protocol.ProtocolCodes;
import io.pgrouter.spi.cluster.Endpoint;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * Starts TLS on a fresh backend connection as PostgreSQL wants it: an SSLRequest, a one-byte
 * answer, then the handshake. Sits first in the pipeline until then and replaces itself with the
 * {@link SslHandler}; {@code ready} completes once the handshake is done (or fails, with the reason).
 */
final class BackendTlsStart extends ChannelInboundHandlerAdapter {
    private final SslContext context;
    private final Endpoint address;
    private final Promise<Channel> ready;

    BackendTlsStart(SslContext context, Endpoint address, Promise<Channel> ready) {
        this.context = context;
        this.address = address;
        this.ready = ready;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf request = ctx.alloc().buffer(8).writeInt(8).writeInt(ProtocolCodes.SSL_REQUEST);
        ctx.writeAndFlush(request, ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            byte answer = in.readByte();
            if (answer != 'S') {
                fail(ctx, new SSLException("the backend " + address + " does not accept TLS (answered '"
                        + (char) answer + "' to SSLRequest), but its tls setting requires it"));
                return;
            }
            if (in.isReadable()) {
                // Bytes before the handshake cannot come from the backend's TLS layer: someone injected them.
                fail(ctx, new SSLException("the backend " + address + " sent unencrypted data after accepting TLS"));
                return;
            }
            // The host name given here is what 'tls verify' checks the certificate against.
            SslHandler tls = context.newHandler(ctx.alloc(), address.host(), address.port());
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    ready.trySuccess(ctx.channel());
                } else {
                    ready.tryFailure(new SSLException("TLS handshake with the backend " + address + " failed: "
                            + f.cause().getMessage(), f.cause()));
                    ctx.channel().close();
                }
            });
            ctx.pipeline().replace(this, "tls", tls);
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready.tryFailure(new IOException("the backend " + address + " closed the connection before TLS started"));
        ctx.fireChannelInactive();
    }

    private void fail(ChannelHandlerContext ctx, Exception cause) {
        ready.tryFailure(cause);
        ctx.close();
    }
}
