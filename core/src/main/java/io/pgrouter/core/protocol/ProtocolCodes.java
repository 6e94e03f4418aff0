package io.pgrouter.core.protocol;

/** Numbers of the PostgreSQL frontend/backend protocol that core acts on. */
public final class ProtocolCodes {
    private ProtocolCodes() {
    }

    /** Protocol version 3.0, as sent in a StartupMessage. */
    public static final int PROTOCOL_3_0 = 196608;
    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    public static final int CANCEL_REQUEST = 80877102;

    /** PostgreSQL's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
    public static final int MAX_STARTUP_PACKET = 10_000;

    /** Bytes in a message header after the type byte: the length, which counts itself. */
    public static final int LENGTH_BYTES = 4;

    public static int majorVersion(int protocol) {
        return protocol >>> 16;
    }

    public static int minorVersion(int protocol) {
        return protocol & 0xFFFF;
    }
}
