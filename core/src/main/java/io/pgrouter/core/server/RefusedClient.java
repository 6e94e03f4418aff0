package io.pgrouter.core.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgrouter.core.protocol.ErrorResponses;
import io.pgrouter.core.protocol.SqlState;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client accepted beyond {@code max_clients}: it is told at once, before it sends anything,
 * with PostgreSQL's own FATAL 53300, and never becomes a session (it is not counted, and holds
 * nothing until {@code authentication_timeout}).
 *
 * <p>The error is written, then pgrouter's side of the connection is shut down (FIN), and what the
 * client sends meanwhile (its startup packet or SSLRequest, written right after connecting) is
 * read and dropped until it closes (Netty then closes the channel), or {@link #LINGER_MS} at most. Closing with its packet unread
 * would reset the connection, and a reset can destroy the error before the client reads it.
 * libpq and pgjdbc read an ErrorResponse in answer to an SSLRequest as well as to a startup packet.
 */
final class RefusedClient extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RefusedClient.class);
    /** Clients turned away, logged at most once a second whatever the rate. */
    private static final RateLimitedLog REFUSALS = new RateLimitedLog();
    static final String TOO_MANY = "sorry, too many clients already";
    /** How long a refused client may take to close after reading its error. */
    static final long LINGER_MS = 1_000;

    private final int maxClients;

    RefusedClient(int maxClients) {
        this.maxClients = maxClients;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long refused = REFUSALS.occurred();
        if (refused > 0) {
            log.warn("refused {} (max_clients {} reached){}", ctx.channel().remoteAddress(), maxClients,
                    RateLimitedLog.more(refused, "refused"));
        }
        ctx.writeAndFlush(ErrorResponses.fatal(ctx.alloc(), SqlState.TOO_MANY_CONNECTIONS, TOO_MANY))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
                        duplex.shutdownOutput();
                    } else {
                        f.channel().close();
                    }
                });
        ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset from a client that left: nothing to tell it
    }
}
