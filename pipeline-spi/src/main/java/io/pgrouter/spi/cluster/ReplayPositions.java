package io.pgrouter.spi.cluster;

/**
 * How far each replica has replayed the WAL, as pgrouter last learned it, for read-your-writes:
 * a read that must see a write at WAL position P may run on a replica once
 * {@code replayed(replica) >= P}. Core's position probe refreshes it every {@code replay_check};
 * a pipeline that asked a replica itself reports what it learned with {@link #observed}, so that
 * every session benefits. Positions are byte offsets in the WAL ({@code lsn - '0/0'}).
 * Thread-safe; reads never block (one volatile read per replica).
 */
public interface ReplayPositions {
    /** The last replayed position known for this replica; 0 when none is known. */
    long replayed(Endpoint replica);

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
