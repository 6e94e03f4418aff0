package io.pgrouter.e2e;

import io.pgrouter.testkit.PgCluster;
import io.pgrouter.testkit.PgNode;
import java.util.stream.Collectors;

/** pgrouter.conf texts for the end-to-end tests. */
final class Configs {
    private Configs() {
    }

    /** A config for a testkit cluster with fast health checks; {@code extra} is appended. */
    static String forCluster(PgCluster cluster, String pipeline, String extra) {
        String backends = cluster.nodes().stream()
                .map(n -> "backend " + n.host() + ":" + n.port())
                .collect(Collectors.joining("\n"));
        return """
                listen 127.0.0.1:${port}
                monitor 127.0.0.1:${monitor}
                workers 2
                log INFO
                pipeline %s
                health {
                  timeout 2s
                  check 250ms
                  database postgres
                  username %s
                }
                backend default { lag 1mb; weight 100 }
                %s
                %s
                """.formatted(pipeline, cluster.superuser(), backends, extra);
    }

    static String address(PgNode node) {
        return node.host() + ":" + node.port();
    }
}
