/**
 * The text monitor port of the original pgrouter: on connect, pgrouter writes its state in a small
 * line-oriented format and closes. See docs/monitoring.md for the format.
 */
module io.pgrouter.monitor.text {
    requires io.pgrouter.spi;
    requires org.slf4j;

    provides io.pgrouter.spi.monitor.MonitorFactory with io.pgrouter.monitor.text.TextMonitorFactory;
}
