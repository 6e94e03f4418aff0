package io.pgrouter.spi.cluster;

/** What a backend says it is. The monitor prints PRIMARY as {@code master}, REPLICA as {@code slave}. */
public enum Role {
    /** Not known yet, or the backend is down. */
    UNKNOWN("slave"),
    /** Accepts writes: {@code pg_is_in_recovery()} is false. */
    PRIMARY("master"),
    /** A hot standby in recovery. */
    REPLICA("slave");

    private final String monitorName;

    Role(String monitorName) {
        this.monitorName = monitorName;
    }

    /** The word the original pgrouter's monitor format uses. */
    public String monitorName() {
        return monitorName;
    }
}
