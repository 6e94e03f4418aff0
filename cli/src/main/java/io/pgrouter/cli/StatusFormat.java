package io.pgrouter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** Renders a status reading as a table for people or a JSON document for programs. */
final class StatusFormat {
    private StatusFormat() {
    }

    static String table(String monitor, MonitorReport r, Verdict v) {
        StringBuilder out = new StringBuilder();
        out.append(v.headline()).append('\n');
        out.append("monitor ").append(monitor).append(": workers ").append(r.workers()).append(", clients ")
                .append(r.clients()).append(", connections ").append(r.connections());
        r.generation().ifPresent(g -> out.append(", snapshot ").append(g));
        r.topology().ifPresent(t -> out.append(", ").append(t.source()).append(" topology ").append(t.freshness())
                .append(t.error().map(e -> " (" + e + ")").orElse("")));
        r.paused().ifPresent(p -> out.append("\nPAUSED since ").append(p.since()).append(": ").append(p.heldSessions())
                .append(" sessions holding a request until 'pgrouter-cli resume'"));
        r.draining().ifPresent(d -> out.append("\nDRAINING since ").append(d.since()).append(": no new clients; ")
                .append(d.sessions()).append(" sessions open, pgrouter exits when the last ends"));
        out.append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"BACKEND", "ROLE", "STATUS", "LAG(bytes)", "DELAY", "REPLAYED", "NOTE"});
        for (MonitorReport.Backend b : r.backends()) {
            rows.add(new String[] {b.address(), b.role(), b.status(), text(b.lagBytes()), delay(b.replayDelayMillis()),
                    b.replayed().orElse("-"), note(r, b)});
        }
        out.append(TextTable.render(rows));
        return out.toString();
    }

    private static String note(MonitorReport r, MonitorReport.Backend b) {
        List<String> notes = new ArrayList<>();
        if (r.primary().filter(b.address()::equals).isPresent()) {
            notes.add("primary (writes)");
        } else if (r.splitBrainNodes().contains(b.address())) {
            notes.add("SPLIT BRAIN: claims primary, not trusted");
        }
        b.notFollowing().ifPresent(why -> notes.add("not following the primary (" + why + "): no reads"));
        b.lagThreshold().ifPresent(t -> notes.add("lagging, threshold " + t + ": no reads"));
        b.maxReplayDelayMillis().ifPresent(max -> notes.add("delayed past max_replay_delay " + max + "ms: no reads"));
        b.error().ifPresent(notes::add);
        notes.addAll(r.haNotes().getOrDefault(b.address(), List.of()));
        return String.join("; ", notes);
    }

    private static String text(OptionalLong n) {
        return n.isPresent() ? Long.toString(n.getAsLong()) : "-";
    }

    private static String delay(OptionalLong millis) {
        return millis.isPresent() ? seconds(millis.getAsLong()) : "-";
    }

    /** Milliseconds as seconds with three decimals, the way the cli shows every duration. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3fs", millis / 1000.0);
    }

    static String json(String monitor, MonitorReport r, Verdict v) {
        StringBuilder out = new StringBuilder("{\n");
        head(out, monitor, v);
        out.append("  \"backendsOk\": ").append(r.backendsOk()).append(",\n");
        out.append("  \"backendsTotal\": ").append(r.backendsTotal()).append(",\n");
        out.append("  \"workers\": ").append(r.workers()).append(",\n");
        out.append("  \"clients\": ").append(r.clients()).append(",\n");
        out.append("  \"connections\": ").append(r.connections()).append(",\n");
        out.append("  \"paused\": ").append(r.paused().isPresent()).append(",\n");
        r.paused().ifPresent(p -> out.append("  \"pausedSince\": ").append(Json.string(p.since())).append(",\n")
                .append("  \"heldSessions\": ").append(p.heldSessions()).append(",\n"));
        out.append("  \"draining\": ").append(r.draining().isPresent()).append(",\n");
        r.draining().ifPresent(d -> out.append("  \"drainingSince\": ").append(Json.string(d.since())).append(",\n")
                .append("  \"openSessions\": ").append(d.sessions()).append(",\n"));
        out.append("  \"generation\": ").append(Json.number(r.generation())).append(",\n");
        out.append("  \"primary\": ").append(Json.string(r.primary())).append(",\n");
        out.append("  \"splitBrain\": ").append(r.splitBrain()).append(",\n");
        out.append("  \"splitBrainNodes\": ").append(Json.strings(r.splitBrainNodes())).append(",\n");
        out.append("  \"topology\": ").append(r.topology().map(t -> "{\"source\": " + Json.string(t.source())
                + ", \"freshness\": " + Json.string(t.freshness()) + ", \"error\": " + Json.string(t.error()) + "}")
                .orElse("null")).append(",\n");
        out.append("  \"haNotes\": {");
        int notes = 0;
        for (var e : r.haNotes().entrySet()) {
            out.append(notes++ == 0 ? "" : ", ").append(Json.string(e.getKey())).append(": ").append(Json.strings(e.getValue()));
        }
        out.append("},\n");
        out.append("  \"backends\": [");
        for (int i = 0; i < r.backends().size(); i++) {
            MonitorReport.Backend b = r.backends().get(i);
            out.append(i == 0 ? "\n" : ",\n");
            out.append("    {\"address\": ").append(Json.string(b.address()))
                    .append(", \"role\": ").append(Json.string(b.role()))
                    .append(", \"status\": ").append(Json.string(b.status()))
                    .append(", \"lagBytes\": ").append(Json.number(b.lagBytes()))
                    .append(", \"lagging\": ").append(b.isLagging())
                    .append(", \"lagThreshold\": ").append(Json.number(b.lagThreshold()))
                    .append(", \"replayDelayMillis\": ").append(Json.number(b.replayDelayMillis()))
                    .append(", \"error\": ").append(Json.string(b.error()))
                    .append(", \"notFollowing\": ").append(Json.string(b.notFollowing()))
                    .append(", \"delayed\": ").append(b.isDelayed())
                    .append(", \"maxReplayDelayMillis\": ").append(Json.number(b.maxReplayDelayMillis()))
                    .append(", \"replayed\": ").append(Json.string(b.replayed()))
                    .append('}');
        }
        out.append(r.backends().isEmpty() ? "]\n" : "\n  ]\n");
        return out.append("}\n").toString();
    }

    static String unreachableJson(String monitor, Verdict v, String error) {
        StringBuilder out = new StringBuilder("{\n");
        head(out, monitor, v);
        out.append("  \"error\": ").append(Json.string(error)).append('\n');
        return out.append("}\n").toString();
    }

    private static void head(StringBuilder out, String monitor, Verdict v) {
        out.append("  \"monitor\": ").append(Json.string(monitor)).append(",\n");
        out.append("  \"status\": ").append(Json.string(v.word())).append(",\n");
        out.append("  \"exitCode\": ").append(v.exitCode()).append(",\n");
        out.append("  \"summary\": ").append(Json.string(v.summary())).append(",\n");
    }
}
