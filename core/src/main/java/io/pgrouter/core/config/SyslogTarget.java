package io.pgrouter.core.config;

import java.util.Locale;
import java.util.Set;

/**
 * {@code syslog FACILITY[@HOST[:PORT]]}: log lines also go to a syslog daemon over UDP (RFC 3164,
 * logback's SyslogAppender), by default to 127.0.0.1:514.
 *
 * @param facility a syslog facility name, lower case ({@code daemon}, {@code local0}, ...)
 */
public record SyslogTarget(String facility, String host, int port) {
    private static final Set<String> FACILITIES = Set.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
            "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
            "local3", "local4", "local5", "local6", "local7");

    static SyslogTarget parse(String text) {
        int at = text.indexOf('@');
        String facility = (at < 0 ? text : text.substring(0, at)).toLowerCase(Locale.ROOT);
        if (!FACILITIES.contains(facility)) {
            throw new IllegalArgumentException("unknown syslog facility '" + facility + "' (expected one of daemon, "
                    + "user, local0 to local7, auth, authpriv, syslog, ...); the form is FACILITY[@HOST[:PORT]]");
        }
        if (at < 0) {
            return new SyslogTarget(facility, "127.0.0.1", 514);
        }
        String address = text.substring(at + 1);
        int colon = address.lastIndexOf(':');
        boolean hasPort = colon > 0 && !address.endsWith("]") && (address.startsWith("[") || address.indexOf(':') == colon);
        String host = hasPort ? address.substring(0, colon) : address;
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("syslog needs a host after '@' (FACILITY[@HOST[:PORT]]), found " + text);
        }
        int port = hasPort ? (int) ConfigBuilder.bounded(address.substring(colon + 1), 1, 65535, "the syslog port") : 514;
        return new SyslogTarget(facility, host, port);
    }

    @Override
    public String toString() {
        return facility + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
