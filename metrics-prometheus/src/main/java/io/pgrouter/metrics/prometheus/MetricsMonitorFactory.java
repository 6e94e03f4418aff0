package io.pgrouter.metrics.prometheus;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.ConfigException;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.config.Setting;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.MonitorFactory;
import java.util.Set;

/**
 * The {@code metrics} monitor: an HTTP endpoint for Prometheus and load balancers, configured by
 * <pre>
 * metrics {
 *   listen 127.0.0.1:9187
 * }
 * </pre>
 * Without a {@code metrics} block core hands this factory an empty one and nothing is opened:
 * the plugin ships in every distribution but only listens where asked to.
 */
public final class MetricsMonitorFactory implements MonitorFactory {
    static final String NAME = "metrics";
    static final String LISTEN = "listen";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Monitor create(PluginConfig config, MonitorContext context) {
        if (config.keys().isEmpty()) {
            return Monitor.NONE;
        }
        config.allowOnly(Set.of(LISTEN));
        Setting listen = config.setting(LISTEN).orElseThrow(() -> new ConfigException(config.location(),
                "block '" + NAME + "' needs 'listen HOST:PORT' (the address to serve /metrics, /health and /status on)"));
        Endpoint address;
        try {
            address = Endpoint.parse(listen.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(listen.location(), LISTEN + ": " + e.getMessage());
        }
        return new MetricsMonitor(address, context);
    }
}
