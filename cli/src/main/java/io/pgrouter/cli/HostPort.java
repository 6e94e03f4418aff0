package io.pgrouter.cli;

/**
 * A monitor address, {@code HOST:PORT} or {@code [IPV6]:PORT}. The cli keeps its own small
 * parser rather than depending on the plugin SPI for one record.
 */
record HostPort(String host, int port) {
    static HostPort parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, found '" + text + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("IPv6 address must be in brackets, as in [::1]:9881: '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'", e);
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw new IllegalArgumentException("expected HOST:PORT with a port in 1-65535, found '" + text + "'");
        }
        // A monitor bound to every address (monitor *:9881) is reachable on loopback.
        return new HostPort(host.equals("*") ? "127.0.0.1" : host, port);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
