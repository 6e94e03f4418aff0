package io.pgrouter.core.tls;

import io.netty.handler.ssl.CipherSuiteConverter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An OpenSSL-style cipher string ({@code ALL:!EXP:!LOW}) turned into the JDK suite names to enable.
 *
 * <p>Elements are separated by {@code :}, {@code ,} or blanks and applied left to right, as in
 * OpenSSL: a plain element appends the suites it selects, {@code -X} removes them (a later element
 * may add them back), {@code !X} removes them for good, {@code +X} moves them to the end.
 * {@code A+B} selects suites matching both. An element is a keyword (see {@link #KEYWORDS}) or a
 * suite name, IANA style ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}) or OpenSSL style
 * ({@code ECDHE-RSA-AES128-GCM-SHA256}). {@code @STRENGTH} is accepted and ignored (the JDK's
 * order already puts strong suites first). Anything else is an error, never skipped.
 *
 * <p>As in OpenSSL, the string governs TLS 1.2 suites only: the TLS 1.3 suites stay enabled
 * unless one is excluded by its exact name ({@code !TLS_CHACHA20_POLY1305_SHA256}).
 */
public final class CipherList {
    /** Keywords understood, each a test on the JDK (IANA) suite name. */
    static final Map<String, Predicate<String>> KEYWORDS = Map.ofEntries(
            Map.entry("ALL", n -> !has(n, "_WITH_NULL_")),
            Map.entry("HIGH", CipherList::high),
            Map.entry("eNULL", n -> has(n, "_WITH_NULL_")),
            Map.entry("NULL", n -> has(n, "_WITH_NULL_")),
            Map.entry("aNULL", n -> has(n, "_anon_")),
            Map.entry("ADH", n -> has(n, "_DH_anon_")),
            Map.entry("AECDH", n -> has(n, "_ECDH_anon_")),
            Map.entry("EXP", n -> has(n, "EXPORT")),
            Map.entry("EXPORT", n -> has(n, "EXPORT")),
            Map.entry("LOW", n -> has(n, "_WITH_DES_") || has(n, "DES40") || has(n, "RC2") || has(n, "EXPORT")),
            Map.entry("MD5", n -> n.endsWith("_MD5")),
            Map.entry("RC4", n -> has(n, "_RC4_")),
            Map.entry("DES", n -> has(n, "_WITH_DES_") || has(n, "DES40")),
            Map.entry("3DES", n -> has(n, "3DES")),
            Map.entry("SHA1", n -> n.endsWith("_SHA")),
            Map.entry("SHA", n -> n.endsWith("_SHA")),
            Map.entry("SHA256", n -> n.endsWith("_SHA256")),
            Map.entry("SHA384", n -> n.endsWith("_SHA384")),
            Map.entry("kRSA", n -> n.startsWith("TLS_RSA_") || n.startsWith("SSL_RSA_")),
            Map.entry("ECDHE", n -> n.startsWith("TLS_ECDHE_")),
            Map.entry("EECDH", n -> n.startsWith("TLS_ECDHE_")),
            Map.entry("DHE", n -> n.startsWith("TLS_DHE_") || n.startsWith("SSL_DHE_")),
            Map.entry("EDH", n -> n.startsWith("TLS_DHE_") || n.startsWith("SSL_DHE_")),
            Map.entry("aRSA", n -> has(n, "DHE_RSA_") || n.startsWith("TLS_RSA_") || n.startsWith("SSL_RSA_")),
            Map.entry("aECDSA", n -> has(n, "_ECDSA_")),
            Map.entry("ECDSA", n -> has(n, "_ECDSA_")),
            Map.entry("AES", n -> has(n, "_AES_")),
            Map.entry("AES128", n -> has(n, "_AES_128_")),
            Map.entry("AES256", n -> has(n, "_AES_256_")),
            Map.entry("AESGCM", n -> has(n, "_AES_") && has(n, "_GCM_")),
            Map.entry("CHACHA20", n -> has(n, "CHACHA20")),
            Map.entry("CBC", n -> has(n, "_CBC_")));

    private CipherList() {
    }

    /** TLS 1.3 suites have no key exchange in their name. */
    static boolean isTls13(String suite) {
        return suite.startsWith("TLS_") && !suite.contains("_WITH_") && !suite.contains("SCSV");
    }

    private static boolean high(String n) {
        return (has(n, "_AES_") || has(n, "CHACHA20") || has(n, "CAMELLIA") || has(n, "ARIA"))
                && !has(n, "_anon_") && !has(n, "_WITH_NULL_") && !has(n, "EXPORT");
    }

    private static boolean has(String name, String part) {
        return name.contains(part);
    }

    /**
     * Resolves {@code spec} against the suites the JDK supports, in their order.
     *
     * @param supported the engine's supported suites, strongest first (the JDK's own order)
     * @param defaults the suites {@code DEFAULT} means (the JDK's enabled-by-default list)
     * @throws IllegalArgumentException naming the element that is not understood, or when nothing is left
     */
    public static List<String> resolve(String spec, List<String> supported, List<String> defaults) {
        List<String> tls12 = supported.stream().filter(s -> !isTls13(s) && !s.contains("SCSV")).toList();
        List<String> tls13 = supported.stream().filter(CipherList::isTls13).toList();
        LinkedHashSet<String> chosen = new LinkedHashSet<>();
        Set<String> killed = new HashSet<>();
        for (String element : spec.trim().split("[:,\\s]+")) {
            if (element.isEmpty() || element.equals("@STRENGTH")) {
                continue;
            }
            char op = element.charAt(0);
            String body = op == '!' || op == '-' || op == '+' ? element.substring(1) : element;
            if (op != '!' && op != '-' && op != '+') {
                op = ' ';
            }
            Predicate<String> selects = selector(body, supported, defaults);
            switch (op) {
                case '!' -> {
                    // Keywords never reach TLS 1.3 suites; their exact names do.
                    final String name = body;
                    supported.stream().filter(selects).filter(s -> !isTls13(s) || s.equals(name)).forEach(killed::add);
                    chosen.removeIf(selects);
                }
                case '-' -> chosen.removeIf(selects);
                case '+' -> {
                    List<String> moved = chosen.stream().filter(selects).toList();
                    chosen.removeAll(moved);
                    chosen.addAll(moved);
                }
                default -> tls12.stream().filter(selects).filter(s -> !killed.contains(s)).forEach(chosen::add);
            }
        }
        List<String> result = new ArrayList<>();
        tls13.stream().filter(s -> !killed.contains(s)).forEach(result::add);
        result.addAll(chosen);
        if (result.isEmpty()) {
            throw new IllegalArgumentException("cipher list \"" + spec + "\" leaves no cipher suite enabled");
        }
        return List.copyOf(result);
    }

    /** A conjunction of terms ({@code ECDHE+AESGCM}); each a keyword, DEFAULT, or a suite name. */
    private static Predicate<String> selector(String body, List<String> supported, List<String> defaults) {
        if (body.isEmpty()) {
            throw new IllegalArgumentException("empty cipher list element");
        }
        Predicate<String> all = s -> true;
        for (String term : body.split("\\+")) {
            all = all.and(term(term, supported, defaults));
        }
        return all;
    }

    private static Predicate<String> term(String term, List<String> supported, List<String> defaults) {
        Predicate<String> keyword = KEYWORDS.get(term);
        if (keyword != null) {
            return keyword;
        }
        if (term.equals("DEFAULT")) {
            Set<String> set = Set.copyOf(defaults);
            return set::contains;
        }
        for (String suite : supported) {
            if (suite.equals(term) || term.equals(CipherSuiteConverter.toOpenSsl(suite, false))) {
                return suite::equals;
            }
        }
        throw new IllegalArgumentException("unknown cipher keyword, or a suite this JDK does not support: \""
                + term + "\"");
    }
}
