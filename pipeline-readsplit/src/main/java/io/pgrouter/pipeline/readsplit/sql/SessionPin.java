package io.pgrouter.pipeline.readsplit.sql;

import java.util.EnumSet;
import java.util.Set;

/**
 * Session state a statement creates that lives on one backend and cannot be mirrored on the
 * session's other backends: while it exists, the session has to stay on the primary.
 */
public enum SessionPin {
    /** CREATE TEMP/TEMPORARY TABLE/VIEW/SEQUENCE, SELECT INTO TEMP, objects created in pg_temp. */
    TEMPORARY_OBJECT,
    /** LISTEN: notifications arrive only on the backend that listens. */
    LISTEN,
    /** DECLARE ... WITH HOLD: the cursor outlives its transaction on that backend. */
    CURSOR_WITH_HOLD,
    /** A session-level advisory lock (pg_advisory_lock, pg_try_advisory_lock, and their _shared forms). */
    ADVISORY_LOCK,
    /** set_config(name, value, is_local) with is_local not literally true: a session setting changed inside a query. */
    SET_CONFIG;

    private static final SessionPin[] VALUES = values();

    int bit() {
        return 1 << ordinal();
    }

    /** The pins whose {@link #bit()} is set in {@code bits}; an immutable set. */
    static Set<SessionPin> setOf(int bits) {
        if (bits == 0) {
            return Set.of();
        }
        EnumSet<SessionPin> pins = EnumSet.noneOf(SessionPin.class);
        for (SessionPin pin : VALUES) {
            if ((bits & pin.bit()) != 0) {
                pins.add(pin);
            }
        }
        return Set.copyOf(pins);
    }
}
