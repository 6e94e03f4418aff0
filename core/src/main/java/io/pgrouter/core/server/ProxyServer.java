package io.pgrouter.core.server;

import io.pgrouter.core.pool.PoolConfig;
import io.pgrouter.spi.monitor.PoolStats;
import java.util.List;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.pgrouter.core.protocol.BufferBudget;
import io.pgrouter.core.protocol.StartupDecoder;
import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.pipeline.Pipeline;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WORKERS of the original pgrouter: a Netty event loop group accepting clients on the {@code listen}
 * address. Each accepted client gets a {@link StartupDecoder} and a {@link ClientConnection}.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    /** Per-channel outbound buffering before back-pressure stops the other side's reads. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final ServerSettings settings;
    private final Transport transport;
    private final ConnectionStats stats;
    private final ServerContext context;
    /** Held messages of every connection, client and backend: one budget. */
    private final BufferBudget budget;
    private final Sessions sessions = new Sessions();
    private EventLoopGroup workers;
    private Channel serverChannel;
    private volatile Security security = Security.NONE;

    /**
     * @param pipelineName the configured pipeline's name, which labels its statement latencies
     * @param pipelineEvents the counters the pipeline asked for, shown with the server's statistics
     */
    public ProxyServer(ServerSettings settings, PoolConfig pools, Pipeline pipeline, String pipelineName,
            ClusterView cluster, PipelineEvents pipelineEvents) {
        this.settings = settings;
        this.transport = Transport.best();
        this.budget = new BufferBudget(settings.maxBuffered());
        this.stats = new ConnectionStats(settings.workers(), sessions, budget, pipelineName, pipelineEvents);
        BackendConnector connector = new BackendConnector(transport, stats, settings.maxMessageSize(), budget,
                settings.connectTimeout());
        this.context = new ServerContext(settings, pipeline, cluster, stats, connector, new CancelKeys(),
                () -> security, new ServerPools(pools, () -> connector, () -> security), sessions);
    }

    /** Sets who may connect and how (at startup and on reload); connections already open keep theirs. */
    public void security(Security next) {
        security = java.util.Objects.requireNonNull(next);
    }

    /** A reload's pool settings: larger limits let waiting clients in at once, smaller ones apply as connections close. */
    public void pools(PoolConfig next) {
        context.pools().budget().settings(next);
    }

    /** Every pool's connections and waiting clients, for the monitor. */
    public List<PoolStats> poolStats() {
        return context.pools().stats();
    }

    public ConnectionStats stats() {
        return stats;
    }

    /** The open sessions: pause, resume, shutdown. */
    public Sessions sessions() {
        return sessions;
    }

    /** Closes the listening socket (drain, shutdown): sessions already open go on. */
    public void stopAccepting() {
        if (serverChannel != null && serverChannel.isOpen()) {
            serverChannel.close().syncUninterruptibly();
            log.info("stopped accepting clients on {}", settings.listen());
        }
    }

    /** Binds the listen address; returns the bound address (useful with port 0... not allowed by Endpoint, so tests pick a free port). */
    public InetSocketAddress start() throws InterruptedException {
        String host = settings.listen().isWildcard() ? null : settings.listen().host();
        InetSocketAddress bound = startQuietly(host == null
                ? new InetSocketAddress(settings.listen().port())
                : new InetSocketAddress(host, settings.listen().port()));
        log.info("listening on {} ({} transport, {} workers)", bound, transport.name().toLowerCase(), settings.workers());
        return bound;
    }

    /** Binds {@code bindTo} instead of the listen address, without a log line: the {@link WarmUp}'s own server. */
    InetSocketAddress startQuietly(InetSocketAddress bindTo) throws InterruptedException {
        workers = transport.newGroup(settings.workers(), "pgrouter-worker");
        // The workers accept too (the original pgrouter: "WORKER threads listen on a TCP port"): with one
        // worker a new connection is served on the thread that accepted it, with no hand-over to
        // another thread and no wake-up; with more, the listening worker deals them out.
        ServerBootstrap b = new ServerBootstrap()
                .group(workers, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty turns it on for every socket channel it makes, and
                // asking again costs a second setsockopt per connection (TransportTest checks it is on).
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new AcceptFailures(new RateLimitedLog()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // max_clients counts from the accept: one beyond it is refused before it says anything.
                        if (!stats.admit(settings.maxClients())) {
                            ch.pipeline().addLast("refused", new RefusedClient(settings.maxClients()));
                            return;
                        }
                        ch.pipeline().addLast("startup", new StartupDecoder(settings.maxMessageSize(), budget));
                        ch.pipeline().addLast("session", new ClientConnection(context));
                    }
                });
        transport.tuneConnections(b);
        serverChannel = b.bind(bindTo).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every connection, and stops the event loops. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
