package io.pgrouter.spi.cluster;

/**
 * How far each replica has replayed the WAL, as pgrouter last learned it, for read-your-writes:
 * a read that must see a write at WAL position P may run on a replica once
 * {@code replayed(replica) >= P}. Core's position probe refreshes it every {@code replay_check};
 * a pipeline that asked a replica itself reports what it learned with {@link #observed}, so that
 * every session benefits. Positions are byte offsets in the WAL ({@code lsn - '0/0'}).
 * Thread-safe; reads never block (one volatile read per replica).
 *
 * <p>The probe reads positions every {@code replay_check} only while reads wait on them (calls
 * of {@link #replayed}); otherwise once per health round, so that a router without writers or
 * without read-your-writes does not query its replicas fifty times a second for nothing.
 */
public interface ReplayPositions {
    /**
     * The last replayed position known for this replica, 0 when none is known, for a read that
     * must wait for one: the call tells the probe that positions are needed now.
     */
    long replayed(Endpoint replica);

    /** The same position, for display (monitors): asks for nothing. */
    default long known(Endpoint replica) {
        return replayed(replica);
    }

    /**
     * A pipeline learned that the replica had replayed at least this far: the known position
     * becomes the higher of the two.
     */
    void observed(Endpoint replica, long position);

    /** Knows nothing and keeps nothing: for contexts without a position probe (tests, older cores). */
    ReplayPositions NONE = new ReplayPositions() {
        @Override
        public long replayed(Endpoint replica) {
            return 0;
        }

        @Override
        public void observed(Endpoint replica, long position) {
        }
    };
}
