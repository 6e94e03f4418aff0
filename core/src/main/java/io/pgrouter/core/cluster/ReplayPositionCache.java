package io.pgrouter.core.cluster;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.cluster.ReplayPositions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replayed WAL position of each replica, shared by the position probe (writer), the
 * pipeline's sessions (readers, and writers of what they learned themselves) and the monitors.
 * One atomic per replica: readers never lock.
 */
public final class ReplayPositionCache implements ReplayPositions {
    private final ConcurrentMap<Endpoint, AtomicLong> positions = new ConcurrentHashMap<>();
    /**
     * Whether a read asked for a position since the probe last looked. Read before it is
     * written, so that sessions asking all the time do not fight over the cache line.
     */
    private volatile boolean asked;

    @Override
    public long replayed(Endpoint replica) {
        if (!asked) {
            asked = true;
        }
        return known(replica);
    }

    @Override
    public long known(Endpoint replica) {
        AtomicLong p = positions.get(replica);
        return p == null ? 0 : p.get();
    }

    /** Whether a read asked for a position since the last call: the probe's demand. */
    boolean takeAsked() {
        if (!asked) {
            return false;
        }
        asked = false;
        return true;
    }

    @Override
    public void observed(Endpoint replica, long position) {
        slot(replica).accumulateAndGet(position, Math::max);
    }

    /**
     * What the probe read just now: it replaces the known position even when lower (a replica
     * rebuilt from an older backup, say), so that a position never outlives the replica that had it.
     */
    void probed(Endpoint replica, long position) {
        slot(replica).set(position);
    }

    /** A replica that failed or left the configuration: nothing is known of it any more. */
    void forget(Endpoint replica) {
        positions.remove(replica);
    }

    private AtomicLong slot(Endpoint replica) {
        return positions.computeIfAbsent(replica, r -> new AtomicLong());
    }
}
