package io.pgrouter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the monitor output (docs/monitoring.md). Strict about the original pgrouter's lines, so that a
 * truncated or foreign answer is reported rather than half-read; tolerant of extra lines with
 * keywords it does not know, so that an older cli reads a newer pgrouter.
 */
final class MonitorParser {
    private static final Pattern BACKENDS = Pattern.compile("backends (\\d+)/(\\d+)");
    private static final Pattern BACKEND = Pattern.compile("(\\S+:\\d+) (master|slave) (?:OK (\\d+)|(FAILED)|(STARTING))");
    private static final Pattern LAGGING = Pattern.compile("lagging (\\S+) (\\d+) (\\d+)");
    private static final Pattern REPLAY_DELAY = Pattern.compile("replay-delay (\\S+) (\\d+)");
    private static final Pattern REPLAYED = Pattern.compile("replayed (\\S+) ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");
    private static final Pattern NOT_FOLLOWING = Pattern.compile("not-following (\\S+) (\\S+)");
    private static final Pattern DELAYED = Pattern.compile("delayed (\\S+) (\\d+) (\\d+)");
    private static final Pattern ERROR = Pattern.compile("error (\\S+) (.*)");
    private static final Pattern GENERATION = Pattern.compile("generation (\\d+)");
    private static final Pattern PRIMARY = Pattern.compile("primary (\\S+)");
    /**
     * Trailing fields are allowed: a later pgrouter may append some to the pool line, and this
     * parser should keep reading the ones it knows.
     */
    private static final Pattern POOL = Pattern.compile("pool (\\S+:\\d+) (\\S+) (\\S+) (\\d+) (\\d+) (\\d+) (\\d+)(?: .*)?");
    private static final Pattern PAUSED = Pattern.compile("paused (\\S+) ([0-9]+)");
    private static final Pattern DRAINING = Pattern.compile("draining (\\S+) ([0-9]+)");
    private static final Pattern TOPOLOGY = Pattern.compile("topology (\\S+) (current|stale|lost)(?: .*)?");
    private static final Pattern HA_NOTE = Pattern.compile("(?:no-reads|disagree) (\\S+) (.*)");
    private static final Pattern SPLIT_BRAIN = Pattern.compile("split-brain (no|yes((?: \\S+)*))");

    private MonitorParser() {
    }

    static MonitorReport parse(String text) throws MonitorFormatException {
        List<String> lines = text.lines().map(MonitorParser::withoutCarriageReturn).toList();
        if (lines.size() < 4) {
            throw new MonitorFormatException("expected at least the 4 header lines, got " + lines.size() + " line(s)");
        }
        Matcher counts = match(BACKENDS, lines.get(0), 1, "backends OK/TOTAL");
        long ok = Long.parseLong(counts.group(1));
        long total = Long.parseLong(counts.group(2));
        long workers = header(lines.get(1), "workers", 2);
        long clients = header(lines.get(2), "clients", 3);
        long connections = header(lines.get(3), "connections", 4);

        List<MonitorReport.Backend> backends = new ArrayList<>();
        int i = 4;
        for (; i < lines.size() && isBackendLine(lines.get(i)); i++) {
            Matcher m = match(BACKEND, lines.get(i), i + 1, "HOST:PORT master|slave OK LAG|FAILED|STARTING");
            String status = m.group(3) != null ? "OK" : m.group(4) != null ? "FAILED" : "STARTING";
            OptionalLong lag = m.group(3) != null ? OptionalLong.of(Long.parseLong(m.group(3))) : OptionalLong.empty();
            backends.add(MonitorReport.Backend.listed(m.group(1), m.group(2), status, lag));
        }
        if (backends.size() != total) {
            throw new MonitorFormatException("'backends " + ok + "/" + total + "' announces " + total
                    + " backend(s) but " + backends.size() + " are listed (truncated output?)");
        }
        long listedOk = backends.stream().filter(MonitorReport.Backend::isOk).count();
        if (listedOk != ok) {
            throw new MonitorFormatException("'backends " + ok + "/" + total + "' but " + listedOk + " OK line(s)");
        }
        return withExtras(lines, i, ok, total, workers, clients, connections, backends);
    }

    private static MonitorReport withExtras(List<String> lines, int first, long ok, long total, long workers,
            long clients, long connections, List<MonitorReport.Backend> backends) throws MonitorFormatException {
        Map<String, MonitorReport.Backend> byAddress = MonitorReport.byAddress(backends);
        boolean extended = false;
        OptionalLong generation = OptionalLong.empty();
        Optional<String> primary = Optional.empty();
        boolean splitBrain = false;
        List<String> claimants = List.of();
        List<MonitorReport.Pool> pools = new ArrayList<>();
        Optional<MonitorReport.Paused> paused = Optional.empty();
        Optional<MonitorReport.Draining> draining = Optional.empty();
        Optional<MonitorReport.Topology> topology = Optional.empty();
        Optional<String> topologyError = Optional.empty();
        Map<String, List<String>> haNotes = new java.util.LinkedHashMap<>();
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            String keyword = line.split(" ", 2)[0];
            int n = i + 1;
            switch (keyword) {
                case "generation" -> generation = OptionalLong.of(Long.parseLong(match(GENERATION, line, n, "generation N").group(1)));
                case "primary" -> {
                    extended = true;
                    String p = match(PRIMARY, line, n, "primary HOST:PORT|none").group(1);
                    primary = p.equals("none") ? Optional.empty() : Optional.of(p);
                }
                case "split-brain" -> {
                    Matcher m = match(SPLIT_BRAIN, line, n, "split-brain no|yes HOST:PORT...");
                    splitBrain = m.group(1).startsWith("yes");
                    claimants = splitBrain ? List.of(m.group(2).strip().split(" ")) : List.of();
                }
                case "lagging" -> {
                    Matcher m = match(LAGGING, line, n, "lagging HOST:PORT LAG THRESHOLD");
                    update(byAddress, m.group(1), n, b -> b.withLagging(Long.parseLong(m.group(3))));
                }
                case "replay-delay" -> {
                    Matcher m = match(REPLAY_DELAY, line, n, "replay-delay HOST:PORT MILLIS");
                    update(byAddress, m.group(1), n, b -> b.withReplayDelay(Long.parseLong(m.group(2))));
                }
                case "replayed" -> {
                    Matcher m = match(REPLAYED, line, n, "replayed HOST:PORT LSN");
                    update(byAddress, m.group(1), n, b -> b.withReplayed(m.group(2)));
                }
                case "not-following" -> {
                    Matcher m = match(NOT_FOLLOWING, line, n, "not-following HOST:PORT REASON");
                    update(byAddress, m.group(1), n, b -> b.withNotFollowing(m.group(2)));
                }
                case "delayed" -> {
                    Matcher m = match(DELAYED, line, n, "delayed HOST:PORT MILLIS MAX_MILLIS");
                    update(byAddress, m.group(1), n,
                            b -> b.withDelayed(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
                }
                case "error" -> {
                    Matcher m = match(ERROR, line, n, "error HOST:PORT TEXT");
                    update(byAddress, m.group(1), n, b -> b.withError(m.group(2)));
                }
                case "pool" -> pools.add(pool(line, n));
                case "draining" -> {
                    Matcher m = match(DRAINING, line, n, "draining SINCE SESSIONS");
                    draining = Optional.of(new MonitorReport.Draining(m.group(1), Long.parseLong(m.group(2))));
                }
                case "paused" -> {
                    Matcher m = match(PAUSED, line, n, "paused SINCE HELD");
                    paused = Optional.of(new MonitorReport.Paused(m.group(1), Long.parseLong(m.group(2))));
                }
                case "topology" -> {
                    Matcher m = match(TOPOLOGY, line, n, "topology SOURCE current|stale|lost AGE_MS GRACE_MS");
                    topology = Optional.of(new MonitorReport.Topology(m.group(1), m.group(2), Optional.empty()));
                }
                case "topology-error" -> topologyError = Optional.of(line.substring("topology-error ".length()));
                case "no-reads" -> {
                    Matcher m = match(HA_NOTE, line, n, "no-reads HOST:PORT REASON");
                    haNotes.computeIfAbsent(m.group(1), a -> new ArrayList<>()).add("HA manager: no reads (" + m.group(2) + ")");
                }
                case "disagree" -> {
                    Matcher m = match(HA_NOTE, line, n, "disagree HOST:PORT TEXT");
                    haNotes.computeIfAbsent(m.group(1), a -> new ArrayList<>()).add(m.group(2));
                }
                default -> {
                    // a newer pgrouter's extra line, or a blank one: not ours to judge
                }
            }
        }
        List<MonitorReport.Backend> merged = List.copyOf(byAddress.values());
        if (!extended) {
            // A seed-format server says nothing about trust: infer what its lines allow.
            List<String> masters = merged.stream().filter(b -> b.isOk() && b.role().equals("master"))
                    .map(MonitorReport.Backend::address).toList();
            primary = masters.size() == 1 ? Optional.of(masters.get(0)) : Optional.empty();
            splitBrain = masters.size() > 1;
            claimants = splitBrain ? masters : List.of();
        }
        Optional<String> error = topologyError;
        topology = topology.map(t -> new MonitorReport.Topology(t.source(), t.freshness(), error));
        return new MonitorReport(ok, total, workers, clients, connections, merged, extended, generation,
                primary, splitBrain, claimants, pools, paused, draining, topology, haNotes);
    }

    /**
     * Not checked against the backend lines, unlike the other extras: after a reload drops a
     * backend, its pools drain for a while and rightly still show.
     */
    private static MonitorReport.Pool pool(String line, int n) throws MonitorFormatException {
        Matcher m = match(POOL, line, n, "pool HOST:PORT DATABASE USER ACTIVE IDLE WAITING LONGEST_WAIT_MS");
        try {
            return new MonitorReport.Pool(m.group(1), MonitorNames.decode(m.group(2)), MonitorNames.decode(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                    Long.parseLong(m.group(7)));
        } catch (IllegalArgumentException e) {
            throw new MonitorFormatException(n, e.getMessage());
        }
    }

    private static void update(Map<String, MonitorReport.Backend> byAddress, String address, int line,
            java.util.function.UnaryOperator<MonitorReport.Backend> change) throws MonitorFormatException {
        MonitorReport.Backend b = byAddress.get(address);
        if (b == null) {
            throw new MonitorFormatException(line, "names " + address + ", which is not a listed backend");
        }
        byAddress.put(address, change.apply(b));
    }

    /** Backend lines start with HOST:PORT; no other line's first word contains a colon. */
    private static boolean isBackendLine(String line) {
        return line.split(" ", 2)[0].contains(":");
    }

    private static long header(String line, String keyword, int n) throws MonitorFormatException {
        Matcher m = match(Pattern.compile(keyword + " (\\d+)"), line, n, keyword + " N");
        return Long.parseLong(m.group(1));
    }

    private static Matcher match(Pattern p, String line, int n, String expected) throws MonitorFormatException {
        Matcher m = p.matcher(line);
        if (!m.matches()) {
            throw new MonitorFormatException(n, "expected '" + expected + "', found '" + line + "'");
        }
        return m;
    }

    private static String withoutCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
