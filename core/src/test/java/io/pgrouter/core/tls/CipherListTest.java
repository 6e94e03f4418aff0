package io.pgrouter.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CipherListTest {
    private static final String T13_AES128 = "TLS_AES_128_GCM_SHA256";
    private static final String T13_CHACHA = "TLS_CHACHA20_POLY1305_SHA256";
    private static final String GCM = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    private static final String CBC_SHA = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
    private static final String RSA_GCM = "TLS_RSA_WITH_AES_256_GCM_SHA384";
    private static final String DES3 = "SSL_RSA_WITH_3DES_EDE_CBC_SHA";
    private static final String DES = "SSL_RSA_WITH_DES_CBC_SHA";
    private static final String ANON = "TLS_DH_anon_WITH_AES_128_CBC_SHA";
    private static final String NULL = "TLS_RSA_WITH_NULL_SHA256";
    private static final String EXPORT = "SSL_RSA_EXPORT_WITH_RC4_40_MD5";
    private static final String SCSV = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";

    private static final List<String> SUPPORTED = List.of(T13_AES128, T13_CHACHA, GCM, CBC_SHA, RSA_GCM, DES3, DES,
            ANON, NULL, EXPORT, SCSV);
    private static final List<String> DEFAULTS = List.of(T13_AES128, T13_CHACHA, GCM, CBC_SHA, RSA_GCM, SCSV);

    private static List<String> resolve(String spec) {
        return CipherList.resolve(spec, SUPPORTED, DEFAULTS);
    }

    @Test
    void allMinusExportAndLowAsInTheSeed() {
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM, CBC_SHA, RSA_GCM, DES3, ANON), resolve("ALL:!EXP:!LOW"));
    }

    @Test
    void highAndTheUsualExclusions() {
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM, CBC_SHA, RSA_GCM), resolve("HIGH:!aNULL:!MD5"));
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM, RSA_GCM), resolve("HIGH:!SHA1"));
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM), resolve("HIGH:!kRSA:!SHA1"));
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM, CBC_SHA, RSA_GCM), resolve("DEFAULT"));
    }

    @Test
    void namesInBothStylesAndConjunctions() {
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM, RSA_GCM), resolve("ECDHE-RSA-AES128-GCM-SHA256 " + RSA_GCM));
        assertEquals(List.of(T13_AES128, T13_CHACHA, GCM), resolve("ECDHE+AESGCM"));
    }

    @Test
    void minusCanBeUndoneButBangCannot() {
        assertEquals(List.of(T13_AES128, T13_CHACHA, CBC_SHA, GCM), resolve("HIGH:-kRSA:-" + GCM + ":" + GCM));
        assertEquals(List.of(T13_AES128, T13_CHACHA, CBC_SHA, RSA_GCM), resolve("HIGH:!" + GCM + ":" + GCM));
        assertEquals(List.of(T13_AES128, T13_CHACHA, CBC_SHA, RSA_GCM, GCM), resolve("HIGH:+" + GCM + ":@STRENGTH"));
    }

    @Test
    void keywordsLeaveTls13AloneButExactNamesDoNot() {
        assertEquals(List.of(T13_AES128, T13_CHACHA, RSA_GCM), resolve("HIGH:!SHA256:!SHA1"));
        assertEquals(List.of(T13_AES128, GCM), resolve(GCM + ":!" + T13_CHACHA));
    }

    @Test
    void unknownElementsAndEmptyResultsAreErrors() {
        assertEquals("unknown cipher keyword, or a suite this JDK does not support: \"MEDIUM\"",
                assertThrows(IllegalArgumentException.class, () -> resolve("HIGH:MEDIUM")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolve("ECDHE-RSA-CAMELLIA128-SHA256"));
        assertThrows(IllegalArgumentException.class, () -> resolve("high"));
        assertThrows(IllegalArgumentException.class,
                () -> resolve("!" + T13_AES128 + ":!" + T13_CHACHA + ":NULL:!eNULL"));
    }
}
