package io.pgrouter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgrouter-cli status} concludes, Nagios style: the exit code, its word and a
 * one-line reason.
 *
 * @param exitCode 0 all well, 1 some backend down, lagging, delayed or not following the primary,
 *     or the HA manager unreachable within its grace or disagreeing with the health check about a
 *     role, 2 no usable primary (the HA manager's topology lost included) or no monitor
 * @param word OK, WARNING or CRITICAL
 * @param summary the reason, for people
 */
record Verdict(int exitCode, String word, String summary) {
    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;

    static Verdict of(MonitorReport r) {
        String counts = r.backendsOk() + "/" + r.backendsTotal() + " backends OK";
        if (r.splitBrain()) {
            String writes = r.primary().map(p -> "writes stay on " + p).orElse("no primary trusted, writes fail");
            return new Verdict(CRITICAL, "CRITICAL", "split brain: " + String.join(", ", r.splitBrainNodes())
                    + " claim primary; " + writes + "; " + counts);
        }
        Optional<MonitorReport.Topology> topology = r.topology();
        String why = topology.flatMap(MonitorReport.Topology::error).map(e -> " (" + e + ")").orElse("");
        if (topology.filter(t -> t.freshness().equals("lost")).isPresent()) {
            return new Verdict(CRITICAL, "CRITICAL", topology.get().source() + " topology lost" + why
                    + ": writes refused; " + counts);
        }
        if (r.primary().isEmpty()) {
            return new Verdict(CRITICAL, "CRITICAL", "no primary: writes fail; " + counts);
        }
        List<String> problems = new ArrayList<>();
        topology.filter(t -> t.freshness().equals("stale"))
                .ifPresent(t -> problems.add(t.source() + " topology unreachable" + why + ", last one kept"));
        for (MonitorReport.Backend b : r.backends()) {
            if (!b.isOk()) {
                problems.add(b.address() + " " + b.status());
            } else if (b.notFollowing().isPresent()) {
                problems.add(b.address() + " not following the primary (" + b.notFollowing().get() + ")");
            } else if (b.isLagging()) {
                problems.add(b.address() + " lagging " + b.lagBytes().orElse(0) + " bytes");
            } else if (b.isDelayed()) {
                problems.add(b.address() + " delayed " + b.replayDelayMillis().orElse(0) + "ms");
            }
        }
        r.haNotes().forEach((address, notes) -> notes.stream().filter(n -> n.startsWith("the health check saw"))
                .forEach(n -> problems.add(address + ": " + n)));
        String primary = "primary " + r.primary().get();
        if (!problems.isEmpty()) {
            return new Verdict(WARNING, "WARNING", counts + ", " + primary + "; " + String.join(", ", problems));
        }
        return new Verdict(OK, "OK", counts + ", " + primary);
    }

    static Verdict unreachable(String monitor, String reason) {
        return new Verdict(CRITICAL, "CRITICAL", "cannot read the monitor at " + monitor + ": " + reason);
    }

    /** The first output line, which is what Nagios shows. */
    String headline() {
        return "PGROUTER " + word + " - " + summary;
    }
}
