package io.pgrouter.pipeline.readsplit.consistency;

import java.util.Locale;
import java.util.Optional;

/** How fresh a session's reads must be (the {@code consistency} setting). */
public enum ConsistencyMode {
    /** Reads go to any eligible replica (lag limits only): a session may not see its own write. */
    EVENTUAL,
    /** Reads go to a replica that has replayed the session's last write, else to the primary. */
    SESSION,
    /** Once the session has written, all its reads go to the primary. */
    STRONG;

    /** The setting's word: {@code eventual}, {@code session}, {@code strong}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a word names, in any case. */
    public static Optional<ConsistencyMode> of(String word) {
        for (ConsistencyMode m : values()) {
            if (m.word().equalsIgnoreCase(word.strip())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
