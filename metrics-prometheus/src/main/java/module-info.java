/**
 * pgrouter's state over HTTP, for Prometheus and load balancers: {@code /metrics} in the
 * Prometheus text exposition format 0.0.4, {@code /health} (200 when pgrouter can serve writes,
 * 503 otherwise) and {@code /status} as JSON. Configured by a {@code metrics { listen HOST:PORT }}
 * block; without that block it opens nothing. See docs/metrics.md.
 */
module io.pgrouter.metrics.prometheus {
    requires io.pgrouter.spi;
    requires jdk.httpserver;
    requires org.slf4j;

    provides io.pgrouter.spi.monitor.MonitorFactory with io.pgrouter.metrics.prometheus.MetricsMonitorFactory;
}
