package io.pgrouter.pipeline.readsplit;

import io.pgrouter.pipeline.readsplit.sql.Classification;
import io.pgrouter.pipeline.readsplit.sql.SessionPin;
import io.pgrouter.pipeline.readsplit.sql.StateRelease;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Session state on the primary connection that pgrouter cannot rebuild on a new primary after a
 * failover: temporary tables, LISTEN, session advisory locks, WITH HOLD cursors, settings changed
 * where pgrouter cannot replay them (set_config(), SET inside a transaction). A session holding
 * any of it ends with a FATAL naming it when its primary goes away; the statements that drop it
 * ({@link StateRelease}) clear the record. Recorded from the classifier's findings when a
 * statement is sent, whether or not it then succeeds: primary when unsure.
 */
final class UnmovableState {
    private final EnumSet<SessionPin> pins = EnumSet.noneOf(SessionPin.class);
    /** SQL PREPAREs inside multi-statement queries: pgrouter keeps no text it could replay for them. */
    private boolean unreplayedPrepare;

    /** A statement text the session sends (a Query, or the text of a Parse). */
    void note(Classification c, CharSequence text, boolean standardStrings) {
        if (!isEmpty()) {
            var released = StateRelease.released(text, standardStrings);
            pins.removeAll(released);
            if (released.containsAll(EnumSet.allOf(SessionPin.class))) {
                unreplayedPrepare = false; // DISCARD ALL deallocates them too
            }
        }
        if (c.pinsSession()) {
            pins.addAll(c.sessionPins()); // guarded: addAll iterates, and almost no statement pins
        }
    }

    /** A SET or RESET ran inside a transaction: pgrouter keeps only those it can replay. */
    void settingInTransaction() {
        pins.add(SessionPin.SET_CONFIG);
    }

    /** A SQL PREPARE whose text pgrouter could not keep on its own. */
    void unreplayedPrepare() {
        unreplayedPrepare = true;
    }

    boolean isEmpty() {
        return pins.isEmpty() && !unreplayedPrepare;
    }

    /** What the session holds that cannot move, for the FATAL ("temporary tables, LISTEN"), if anything. */
    Optional<String> reason() {
        if (isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (SessionPin pin : pins) {
            parts.add(switch (pin) {
                case TEMPORARY_OBJECT -> "temporary tables";
                case LISTEN -> "LISTEN registrations";
                case CURSOR_WITH_HOLD -> "WITH HOLD cursors";
                case ADVISORY_LOCK -> "session advisory locks";
                case SET_CONFIG -> "settings changed by set_config() or inside a transaction";
            });
        }
        if (unreplayedPrepare) {
            parts.add("a SQL PREPARE inside a multi-statement query");
        }
        return Optional.of(String.join(", ", parts));
    }
}
