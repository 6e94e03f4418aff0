package io.pgrouter.core.auth;

import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;

/**
 * Reads the comma-separated {@code a=value} attributes of a SCRAM message (RFC 5802 section 5.1).
 * The text is the message's bytes as ISO-8859-1, one char per byte, so that the exact bytes can be
 * put back together for the AuthMessage whatever encoding the peer used.
 */
final class ScramReader {
    private final String text;
    private final String who;
    private int pos;

    ScramReader(String text, String who) {
        this.text = text;
        this.who = who;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= text.length();
    }

    char peek() {
        return atEnd() ? '\0' : text.charAt(pos);
    }

    /** Reads {@code name=value} and the comma after it, if any. */
    String attribute(char name) {
        if (atEnd() || text.charAt(pos) != name || pos + 1 >= text.length() || text.charAt(pos + 1) != '=') {
            throw malformed("expected attribute \"" + name + "\"");
        }
        pos += 2;
        return valueUpToComma();
    }

    /** Reads up to the next comma (or the end), consuming the comma. */
    String valueUpToComma() {
        int comma = text.indexOf(',', pos);
        int end = comma < 0 ? text.length() : comma;
        String value = text.substring(pos, end);
        pos = comma < 0 ? end : comma + 1;
        return value;
    }

    /** Skips optional extension attributes ({@code x=...}, any letter but those listed as next). */
    void skipExtensions(char stopAt) {
        while (!atEnd() && text.charAt(pos) != stopAt) {
            char c = text.charAt(pos);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') || pos + 1 >= text.length()
                    || text.charAt(pos + 1) != '=') {
                throw malformed("malformed extension attribute");
            }
            valueUpToComma();
        }
    }

    void expectEnd() {
        if (!atEnd()) {
            throw malformed("garbage at end of message");
        }
    }

    byte[] base64(char name) {
        byte[] bytes = ScramCrypto.unbase64(attribute(name));
        if (bytes == null) {
            throw malformed("attribute \"" + name + "\" is not valid base64");
        }
        return bytes;
    }

    /** A nonce: printable ASCII without commas (RFC 5802's "printable"). */
    String nonce() {
        String nonce = attribute('r');
        if (nonce.isEmpty() || !nonce.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != ',')) {
            throw malformed("invalid nonce");
        }
        return nonce;
    }

    String substring(int from, int to) {
        return text.substring(from, to);
    }

    ProtocolException malformed(String detail) {
        return new ProtocolException(SqlState.PROTOCOL_VIOLATION, "malformed SCRAM message from " + who + ": " + detail);
    }
}
