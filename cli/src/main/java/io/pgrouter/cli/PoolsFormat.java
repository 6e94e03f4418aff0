package io.pgrouter.cli;

import java.util.ArrayList;
import java.util.List;

/** Renders the pools of a monitor reading as a table for people or a JSON document for programs. */
final class PoolsFormat {
    private PoolsFormat() {
    }

    static String table(String monitor, MonitorReport r) {
        StringBuilder out = new StringBuilder("monitor ").append(monitor).append(": ");
        if (r.pools().isEmpty()) {
            // An older pgrouter prints no pool lines at all; say so rather than let it pass for idle.
            return out.append("no server connection pools (or a pgrouter too old to report them)\n").toString();
        }
        long waiting = r.pools().stream().mapToLong(MonitorReport.Pool::waiting).sum();
        out.append(r.pools().size()).append(r.pools().size() == 1 ? " pool, " : " pools, ")
                .append(waiting).append(waiting == 1 ? " client waiting" : " clients waiting").append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"BACKEND", "DATABASE", "USER", "ACTIVE", "IDLE", "WAITING", "LONGEST WAIT"});
        for (MonitorReport.Pool p : r.pools()) {
            rows.add(new String[] {p.backend(), MonitorNames.printable(p.database()), MonitorNames.printable(p.user()),
                    Long.toString(p.active()), Long.toString(p.idle()), Long.toString(p.waiting()),
                    p.waiting() == 0 ? "-" : StatusFormat.seconds(p.longestWaitMillis())});
        }
        return out.append(TextTable.render(rows)).toString();
    }

    static String json(String monitor, MonitorReport r) {
        StringBuilder out = new StringBuilder("{\n");
        out.append("  \"monitor\": ").append(Json.string(monitor)).append(",\n");
        out.append("  \"pools\": [");
        for (int i = 0; i < r.pools().size(); i++) {
            MonitorReport.Pool p = r.pools().get(i);
            out.append(i == 0 ? "\n" : ",\n");
            out.append("    {\"backend\": ").append(Json.string(p.backend()))
                    .append(", \"database\": ").append(Json.string(p.database()))
                    .append(", \"user\": ").append(Json.string(p.user()))
                    .append(", \"active\": ").append(p.active())
                    .append(", \"idle\": ").append(p.idle())
                    .append(", \"waiting\": ").append(p.waiting())
                    .append(", \"longestWaitMillis\": ").append(p.longestWaitMillis())
                    .append('}');
        }
        out.append(r.pools().isEmpty() ? "]\n" : "\n  ]\n");
        return out.append("}\n").toString();
    }
}
