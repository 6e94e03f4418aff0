package io.pgrouter.monitor.text;

import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.MonitorFactory;
import java.time.Duration;
import java.util.Set;

/**
 * The original pgrouter's text monitor, listening on the {@code monitor HOST:PORT} address. Its optional
 * {@code text { timeout 5s }} block bounds how long one monitor client may take to read the
 * output before it is cut off.
 */
public final class TextMonitorFactory implements MonitorFactory {
    static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public String name() {
        return "text";
    }

    @Override
    public Monitor create(PluginConfig config, MonitorContext context) {
        config.allowOnly(Set.of("timeout"));
        Duration writeTimeout = config.duration("timeout", DEFAULT_WRITE_TIMEOUT);
        return context.monitorAddress()
                .<Monitor>map(address -> new TextMonitor(address, context, writeTimeout))
                .orElse(Monitor.NONE);
    }
}
