package io.pgrouter.spi.cluster;

import java.util.Objects;

/**
 * A host and port, as written in pgrouter.conf: {@code 10.0.0.5:6432}, {@code db1.example:5432},
 * {@code [::1]:5432}, or {@code *:5432} for every local address (listen only).
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
    }

    /**
     * Parses {@code HOST:PORT}; IPv6 literals go in brackets.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Endpoint parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPV6]:PORT, found '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected HOST:PORT, found '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("IPv6 address must be in brackets, as in [::1]:5432: '" + text + "'");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host in '" + text + "'");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'", e);
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is out of range 1-65535 in '" + text + "'");
        }
        return new Endpoint(host, p);
    }

    /** True for {@code *}, meaning every local address. */
    public boolean isWildcard() {
        return host.equals("*");
    }

    /** {@code host:port}, with IPv6 literals in brackets: the form the monitor prints. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
