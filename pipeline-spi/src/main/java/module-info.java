/**
 * The pgrouter plugin API: pipelines, health checks and monitors.
 *
 * <p>Small and stable on purpose. It exposes Netty's {@code ByteBuf} (messages are forwarded
 * without copying) and nothing else of Netty. A plugin is a module that {@code provides} one of
 * the factories below; pgrouter finds it with {@link java.util.ServiceLoader}, either on the
 * module path or in a jar dropped into the {@code plugins} directory.
 */
module io.pgrouter.spi {
    requires transitive io.netty.buffer;

    exports io.pgrouter.spi.config;
    exports io.pgrouter.spi.cluster;
    exports io.pgrouter.spi.pipeline;
    exports io.pgrouter.spi.protocol;
    exports io.pgrouter.spi.health;
    exports io.pgrouter.spi.monitor;
}
