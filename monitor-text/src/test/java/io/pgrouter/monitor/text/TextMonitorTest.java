package io.pgrouter.monitor.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.spi.cluster.ClusterView;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.monitor.Monitor;
import io.pgrouter.spi.monitor.MonitorContext;
import io.pgrouter.spi.monitor.MonitorFactory;
import io.pgrouter.spi.monitor.RouterStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class TextMonitorTest {
    private static MonitorContext context(Optional<Endpoint> address) {
        return context(address, Snapshots::seedExample);
    }

    private static MonitorContext context(Optional<Endpoint> address, ClusterView view) {
        return context(address, view, java.util.List.of());
    }

    private static MonitorContext context(Optional<Endpoint> address, ClusterView view,
            java.util.List<io.pgrouter.spi.monitor.PoolStats> pools) {
        RouterStats stats = Snapshots.stats(64, 32, 28);
        return new MonitorContext() {
            @Override
            public java.util.List<io.pgrouter.spi.monitor.PoolStats> pools() {
                return pools;
            }

            @Override
            public ClusterView cluster() {
                return view;
            }

            @Override
            public RouterStats stats() {
                return stats;
            }

            @Override
            public Optional<Endpoint> monitorAddress() {
                return address;
            }
        };
    }

    private static String read(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void isFoundAsTheTextServiceProvider() {
        assertTrue(ServiceLoader.load(MonitorFactory.class).stream().anyMatch(p -> p.get().name().equals("text")));
    }

    @Test
    void withoutAnAddressThereIsNoMonitor() {
        Monitor m = new TextMonitorFactory().create(PluginConfig.empty("text"), context(Optional.empty()));
        assertSame(Monitor.NONE, m);
    }

    @Test
    void writesTheStateAndClosesEvenWhileAnotherClientReadsNothing() throws Exception {
        TextMonitor m = (TextMonitor) new TextMonitorFactory().create(PluginConfig.empty("text"),
                context(Optional.of(new Endpoint("127.0.0.1", freePort()))));
        try {
            m.start();
            try (Socket idle = new Socket("127.0.0.1", m.localPort())) {
                idle.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                String out = read(m.localPort());
                assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE), out);
                assertTrue(System.nanoTime() - start < 3_000_000_000L, "an idle client does not hold others up");
                String second = read(m.localPort());
                assertEquals(out, second, "every connection gets the whole output");
            }
        } finally {
            m.close();
        }
        String after;
        try {
            after = read(m.localPort());
        } catch (IOException expected) {
            after = "";
        }
        assertEquals("", after, "a closed monitor serves nothing");
    }

    @Test
    void clientsThatNeverReadDoNotStallTheOthers() throws Exception {
        java.util.List<io.pgrouter.spi.cluster.BackendState> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            many.add(Snapshots.backend("10.0." + (i / 250) + "." + (i % 250) + ":6432",
                    io.pgrouter.spi.cluster.Role.REPLICA, io.pgrouter.spi.cluster.Status.OK, i, 1L << 40,
                    Optional.empty(), Optional.empty()));
        }
        var big = new io.pgrouter.spi.cluster.ClusterSnapshot(many, Optional.empty(), false, 1, java.time.Instant.EPOCH);
        int expected = MonitorText.render(big, Snapshots.stats(64, 32, 28)).length();
        var block = new PluginConfig("text", "f:1:1", java.util.Map.of("timeout",
                new io.pgrouter.spi.config.Setting("500ms", "f:2:3")));
        TextMonitor m = (TextMonitor) new TextMonitorFactory().create(block,
                context(Optional.of(new Endpoint("127.0.0.1", freePort())), () -> big));
        java.util.List<Socket> idle = new java.util.ArrayList<>();
        try {
            m.start();
            for (int i = 0; i < 8; i++) { // more than the writer threads
                idle.add(new Socket("127.0.0.1", m.localPort()));
            }
            long start = System.nanoTime();
            assertEquals(expected, read(m.localPort()).length(), "a reading client gets everything");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < 3_000, "served in " + tookMillis + "ms despite 8 idle clients");
        } finally {
            for (Socket s : idle) {
                s.close();
            }
            m.close();
        }
    }

    @Test
    void servesThePoolsCoreReports() throws Exception {
        var pool = new io.pgrouter.spi.monitor.PoolStats(Endpoint.parse("10.0.0.3:6432"), "app", "alice", 2, 1, 0,
                java.time.Duration.ZERO);
        TextMonitor m = (TextMonitor) new TextMonitorFactory().create(PluginConfig.empty("text"),
                context(Optional.of(new Endpoint("127.0.0.1", freePort())), Snapshots::seedExample,
                        java.util.List.of(pool)));
        try {
            m.start();
            String out = read(m.localPort());
            assertTrue(out.startsWith(Snapshots.SEED_EXAMPLE), out);
            assertTrue(out.endsWith("\npool 10.0.0.3:6432 app alice 2 1 0 0\n"), out);
        } finally {
            m.close();
        }
    }

    @Test
    void unknownKeyInTheTextBlockIsAnError() {
        var block = new PluginConfig("text", "f:1:1", java.util.Map.of("tiemout",
                new io.pgrouter.spi.config.Setting("1s", "f:2:3")));
        var e = assertThrows(io.pgrouter.spi.config.ConfigException.class,
                () -> new TextMonitorFactory().create(block, context(Optional.empty())));
        assertEquals("f:2:3", e.location());
    }
}
