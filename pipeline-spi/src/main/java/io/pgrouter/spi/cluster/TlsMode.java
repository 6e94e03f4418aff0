package io.pgrouter.spi.cluster;

import java.util.Locale;

/** How pgrouter talks TLS to a backend ({@code tls off | verify | skipverify}). */
public enum TlsMode {
    OFF,
    /** TLS with certificate chain and host name verification. */
    VERIFY,
    /** TLS without verification: encrypts, does not authenticate the server. */
    SKIPVERIFY;

    /** Parses a config word; throws {@link IllegalArgumentException} naming the accepted ones. */
    public static TlsMode parse(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "verify" -> VERIFY;
            case "skipverify" -> SKIPVERIFY;
            default -> throw new IllegalArgumentException(
                    "bad tls mode '" + word + "' (expected off, verify or skipverify)");
        };
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
