package io.pgrouter.health.patroni;

import io.pgrouter.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.testkit.EtcdServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The leader key read and watched on a real etcd, through its JSON gateway. */
class EtcdLeaderKeyTest {
    private static final String KEY = "/service/batman/leader";
    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.inTemporaryDirectory();
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    private static EtcdLeaderKey key(String name) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        return new EtcdLeaderKey(new Endpoints("etcd", List.of(URI.create(etcd.url())), http), http, name);
    }

    @Test
    void readsTheLeadersNameOrNothing() throws Exception {
        try (EtcdLeaderKey leader = key("/service/nobody/leader")) {
            assertEquals(Optional.empty(), leader.read(Duration.ofSeconds(2)));
            etcd.put("/service/nobody/leader", "n7");
            assertEquals(Optional.of("n7"), leader.read(Duration.ofSeconds(2)));
        }
    }

    @Test
    void aChangeOfTheKeyCallsTheListenerAndAnOutageIsAnErrorThatSaysWhere() throws Exception {
        etcd.put(KEY, "n1");
        AtomicInteger calls = new AtomicInteger();
        try (EtcdLeaderKey leader = key(KEY)) {
            leader.watch(calls::incrementAndGet);
            await(() -> calls.get() >= 1, "the watch's creation"); // it may have missed a change before
            int before = calls.get();
            etcd.put(KEY, "n2");
            await(() -> calls.get() > before, "a call for the change");
            assertEquals(Optional.of("n2"), leader.read(Duration.ofSeconds(2)));

            int beforeOutage = calls.get();
            etcd.stop();
            await(() -> calls.get() > beforeOutage, "a call when the watch is lost");
            IOException e = assertThrows(IOException.class, () -> leader.read(Duration.ofMillis(500)));
            assertTrue(e.getMessage().startsWith("etcd unreachable: " + etcd.url()), e.getMessage());
            int beforeRestart = calls.get();
            etcd.start();
            // The watch reconnects by itself and reports it: a change may have happened meanwhile.
            await(() -> calls.get() > beforeRestart, "a call after etcd came back");
            int beforeN3 = calls.get();
            etcd.put(KEY, "n3");
            await(() -> calls.get() > beforeN3, "a call for a change after the reconnection");
        }
    }

    private static void await(ThrowingCondition condition, String what) {
        Await.until(Duration.ofSeconds(10), Duration.ofMillis(20), what, condition::holds);
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }
}
