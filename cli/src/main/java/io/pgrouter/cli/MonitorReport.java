package io.pgrouter.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One reading of the monitor port, parsed by {@link MonitorParser}.
 *
 * @param backendsOk the OK count of the {@code backends OK/TOTAL} line
 * @param backendsTotal its TOTAL
 * @param workers the {@code workers} line
 * @param clients the {@code clients} line
 * @param connections the {@code connections} line
 * @param backends the backend lines, in order
 * @param extended whether pgrouter's extra lines were present (a seed-format server has none)
 * @param generation the snapshot generation, when reported
 * @param primary where writes go: the {@code primary} line, or without extras the only OK master
 * @param splitBrain several nodes claim primary: the {@code split-brain} line, or without extras
 *     more than one OK master
 * @param splitBrainNodes the nodes claiming primary during a split brain
 * @param pools the {@code pool} lines, in the monitor's order (by backend, database, user);
 *     empty when there are none or the pgrouter is too old to print them
 * @param paused the {@code paused} line, when pgrouter is paused
 * @param draining the {@code draining} line, when pgrouter drains
 * @param topology the {@code topology} line, when pgrouter follows an HA manager
 * @param haNotes what the HA manager's lines say of each backend ({@code no-reads},
 *     {@code disagree}), by address, in the monitor's order
 */
record MonitorReport(
        long backendsOk,
        long backendsTotal,
        long workers,
        long clients,
        long connections,
        List<Backend> backends,
        boolean extended,
        OptionalLong generation,
        Optional<String> primary,
        boolean splitBrain,
        List<String> splitBrainNodes,
        List<Pool> pools,
        Optional<Paused> paused,
        Optional<Draining> draining,
        Optional<Topology> topology,
        Map<String, List<String>> haNotes) {

    MonitorReport {
        backends = List.copyOf(backends);
        splitBrainNodes = List.copyOf(splitBrainNodes);
        pools = List.copyOf(pools);
        haNotes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(haNotes));
    }

    /**
     * The HA manager's topology as pgrouter last fetched it.
     *
     * @param source its name ({@code patroni})
     * @param freshness {@code current}, {@code stale} (unreachable, kept within its grace) or
     *     {@code lost} (past it: no writes)
     * @param error why the last fetch failed, when it did
     */
    record Topology(String source, String freshness, Optional<String> error) {
    }

    /**
     * pgrouter is paused.
     *
     * @param since when the pause began, as the monitor prints it (ISO-8601, UTC)
     * @param heldSessions sessions holding a request until the pause ends
     */
    record Paused(String since, long heldSessions) {
    }

    /**
     * pgrouter drains: it accepts no clients and exits when the last session ends.
     *
     * @param since when the drain began, as the monitor prints it (ISO-8601, UTC)
     * @param sessions client sessions still open
     */
    record Draining(String since, long sessions) {
    }

    /**
     * One server connection pool: the connections to one backend for one database and user.
     *
     * @param backend {@code host:port}
     * @param database the database name, decoded
     * @param user the user name, decoded
     * @param active connections lent to a session (or being opened for one)
     * @param idle connections waiting to be lent
     * @param waiting clients waiting for a connection of this pool
     * @param longestWaitMillis how long the longest-waiting of them has waited, 0 with none
     */
    record Pool(String backend, String database, String user, long active, long idle, long waiting,
            long longestWaitMillis) {
    }

    /**
     * One backend line plus what the extra lines say about it.
     *
     * @param address {@code host:port}
     * @param role {@code master} or {@code slave}
     * @param status {@code OK}, {@code FAILED} or {@code STARTING}
     * @param lagBytes replay lag in bytes, on OK lines only
     * @param lagThreshold the threshold, when a {@code lagging} line names it
     * @param replayDelayMillis from a {@code replay-delay} line
     * @param error from an {@code error} line
     * @param notFollowing why it does not follow the primary, from a {@code not-following} line
     *     ({@code orphaned}, {@code other-timeline}, {@code replay-paused})
     * @param maxReplayDelayMillis its {@code max_replay_delay}, when a {@code delayed} line says
     *     it is past it
     * @param replayed the WAL position it has replayed ({@code 16/B374D848}), from a {@code replayed} line
     */
    record Backend(String address, String role, String status, OptionalLong lagBytes,
            OptionalLong lagThreshold, OptionalLong replayDelayMillis, Optional<String> error,
            Optional<String> notFollowing, OptionalLong maxReplayDelayMillis, Optional<String> replayed) {

        /** A backend line as read, before any extra line says more about it. */
        static Backend listed(String address, String role, String status, OptionalLong lagBytes) {
            return new Backend(address, role, status, lagBytes, OptionalLong.empty(), OptionalLong.empty(),
                    Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty());
        }

        boolean isOk() {
            return status.equals("OK");
        }

        /** Reported past its lag threshold by a {@code lagging} line. */
        boolean isLagging() {
            return lagThreshold.isPresent();
        }

        /** Reported past its {@code max_replay_delay} by a {@code delayed} line. */
        boolean isDelayed() {
            return maxReplayDelayMillis.isPresent();
        }

        Backend withLagging(long threshold) {
            return new Backend(address, role, status, lagBytes, OptionalLong.of(threshold), replayDelayMillis, error,
                    notFollowing, maxReplayDelayMillis, replayed);
        }

        Backend withReplayDelay(long millis) {
            return new Backend(address, role, status, lagBytes, lagThreshold, OptionalLong.of(millis), error,
                    notFollowing, maxReplayDelayMillis, replayed);
        }

        Backend withError(String text) {
            return new Backend(address, role, status, lagBytes, lagThreshold, replayDelayMillis, Optional.of(text),
                    notFollowing, maxReplayDelayMillis, replayed);
        }

        Backend withNotFollowing(String reason) {
            return new Backend(address, role, status, lagBytes, lagThreshold, replayDelayMillis, error,
                    Optional.of(reason), maxReplayDelayMillis, replayed);
        }

        Backend withReplayed(String position) {
            return new Backend(address, role, status, lagBytes, lagThreshold, replayDelayMillis, error, notFollowing,
                    maxReplayDelayMillis, Optional.of(position));
        }

        Backend withDelayed(long delayMillis, long maxMillis) {
            return new Backend(address, role, status, lagBytes, lagThreshold, OptionalLong.of(delayMillis), error,
                    notFollowing, OptionalLong.of(maxMillis), replayed);
        }
    }

    static Map<String, Backend> byAddress(List<Backend> backends) {
        Map<String, Backend> m = new java.util.LinkedHashMap<>();
        backends.forEach(b -> m.put(b.address(), b));
        return m;
    }
}
