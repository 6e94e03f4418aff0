package io.pgrouter.core.auth;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013) as far as passwords need it, with PostgreSQL's fallback: a password that
 * SASLprep would reject is used as is, so that every password PostgreSQL accepts works here too.
 *
 * <p>Pure ASCII passwords are returned unchanged, as in PostgreSQL's pg_saslprep. Otherwise
 * non-ASCII spaces map to U+0020, the "commonly mapped to nothing" characters are dropped and the
 * result is NFKC-normalised. Prohibited output (controls, private use, surrogates, non-characters,
 * unassigned code points as Java's Unicode tables know them) makes it fall back to the raw
 * password. The bidirectional check of stringprep is not performed.
 */
final class SaslPrep {
    private SaslPrep() {
    }

    static String prepare(String password) {
        if (password.chars().allMatch(c -> c < 0x80)) {
            return password;
        }
        StringBuilder mapped = new StringBuilder(password.length());
        for (int i = 0; i < password.length(); ) {
            int cp = password.codePointAt(i);
            i += Character.charCount(cp);
            if (mappedToNothing(cp)) {
                continue;
            }
            mapped.appendCodePoint(nonAsciiSpace(cp) ? ' ' : cp);
        }
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            if (prohibited(cp)) {
                return password;
            }
        }
        return normalized;
    }

    private static boolean mappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    private static boolean nonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static boolean prohibited(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.PRIVATE_USE || type == Character.SURROGATE
                || type == Character.UNASSIGNED || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE
                || (cp >= 0x2FF0 && cp <= 0x2FFB) || (cp >= 0x200E && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x206A && cp <= 0x206F);
    }
}
