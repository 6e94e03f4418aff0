package io.pgrouter.metrics.prometheus;

import io.pgrouter.spi.cluster.BackendState;
import io.pgrouter.spi.cluster.ClusterSnapshot;
import io.pgrouter.spi.cluster.Role;
import java.util.stream.Collectors;

/**
 * Whether pgrouter can serve writes now, as {@code /health} and {@code pgrouter_writable} report
 * it: a primary is known, it answered its last probe, and no other node claims the role. During
 * a split brain pgrouter may still send writes to the primary it trusted before, but a load
 * balancer should not count on it: the answer is no.
 *
 * @param writable the answer
 * @param reason one line saying why, for the body of {@code /health}
 */
record WriteHealth(boolean writable, String reason) {

    static WriteHealth of(ClusterSnapshot snapshot) {
        if (snapshot.splitBrain()) {
            return new WriteHealth(false, "split brain: " + snapshot.backends().stream()
                    .filter(b -> b.isOk() && b.role() == Role.PRIMARY)
                    .map(b -> b.address().toString()).collect(Collectors.joining(", ")) + " claim to be primary");
        }
        if (snapshot.primary().isEmpty() && snapshot.topology().filter(t -> t.isLost()).isPresent()) {
            return new WriteHealth(false, "no primary: " + snapshot.noPrimaryReason());
        }
        if (snapshot.primary().isEmpty()) {
            return new WriteHealth(false, "no primary: " + snapshot.okCount() + " of "
                    + snapshot.backends().size() + " backends up, none of them primary");
        }
        BackendState primary = snapshot.primary().get();
        if (!primary.isOk()) {
            return new WriteHealth(false, "primary " + primary.address() + " is " + primary.status());
        }
        return new WriteHealth(true, "ok: writes go to " + primary.address());
    }
}
