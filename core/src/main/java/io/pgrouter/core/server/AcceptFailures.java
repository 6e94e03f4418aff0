package io.pgrouter.core.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the listening socket: a failed accept (most often EMFILE, "Too many open files") gets one
 * log line a second at most, without a stack trace, and accepting pauses for
 * {@link #PAUSE_MS}: retrying at once would fail again at once, a busy loop. Clients meanwhile
 * wait in the kernel's backlog. Netty's own handling would log a stack trace per failure.
 */
@ChannelHandler.Sharable
final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);
    static final long PAUSE_MS = 1_000;

    private final RateLimitedLog lines;

    AcceptFailures(RateLimitedLog lines) {
        this.lines = lines;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long failures = lines.occurred();
        if (failures > 0) {
            log.warn("cannot accept a client connection: {}{}; accepting again in {} ms{}", cause.getMessage(),
                    tooManyFiles(cause) ? " (the file-descriptor limit: raise ulimit -n, or lower max_clients)" : "",
                    PAUSE_MS, RateLimitedLog.more(failures, "failed"));
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                ctx.channel().config().setAutoRead(true);
            }, PAUSE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean tooManyFiles(Throwable cause) {
        return String.valueOf(cause.getMessage()).contains("Too many open files");
    }
}
