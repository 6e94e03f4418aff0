package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * pgrouter leaves TCP_NODELAY to Netty, which turns it on for every socket channel it makes:
 * asking again was a second setsockopt per client and backend connection. Should a Netty upgrade
 * change that default, small answers would wait for Nagle's algorithm; this notices first. The
 * option is read back from the real sockets (getsockopt), accepted side and connecting side.
 */
class TransportTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void socketsAreMadeWithoutNagleAndNothingAsksForIt(Transport transport) throws Exception {
        // No native epoll on this platform: pgrouter runs on NIO there, which the other case covers.
        assumeTrue(transport != Transport.EPOLL || Transport.best() == Transport.EPOLL, "no native epoll here");
        EventLoopGroup group = transport.newGroup(1, "transport-test");
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            ServerBootstrap server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                        }
                    });
            transport.tuneConnections(server);
            Channel listening = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            Bootstrap client = new Bootstrap().group(group).channel(transport.socketChannel())
                    .handler(new ChannelInboundHandlerAdapter());
            transport.tuneConnections(client);
            Channel connecting = client.connect(listening.localAddress()).sync().channel();

            Channel child = accepted.get(10, TimeUnit.SECONDS);
            assertEquals(Boolean.TRUE, child.config().getOption(ChannelOption.TCP_NODELAY), "accepted client socket");
            assertEquals(Boolean.TRUE, connecting.config().getOption(ChannelOption.TCP_NODELAY), "backend socket");
            assertTrue(child.isActive());
            connecting.close().sync();
            listening.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
