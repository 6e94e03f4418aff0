/**
 * pgrouter's core: configuration, the {@code pgrouter} command, plugin loading, the Netty server
 * and protocol framing, backend connections, cluster state and the watcher.
 */
module io.pgrouter.core {
    requires io.pgrouter.spi;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.codec;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires info.picocli;
    requires org.tomlj;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires jdk.unsupported;
    requires jdk.management;
    requires jdk.net;

    opens io.pgrouter.core to info.picocli;

    uses io.pgrouter.spi.pipeline.PipelineFactory;
    uses io.pgrouter.spi.health.HealthCheckFactory;
    uses io.pgrouter.spi.health.TopologySourceFactory;
    uses io.pgrouter.spi.monitor.MonitorFactory;
}
