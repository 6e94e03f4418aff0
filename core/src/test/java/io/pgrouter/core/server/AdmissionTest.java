package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Admission at accept (max_clients), the refused client's error, and accept failures. */
class AdmissionTest {
    @Test
    void maxClientsAreAdmittedAndOneMoreOnlyOnceOneLeaves() {
        ConnectionStats stats = new ConnectionStats(1);
        assertTrue(stats.admit(2));
        assertTrue(stats.admit(2));
        assertFalse(stats.admit(2), "a third is refused");
        assertEquals(2, stats.clients(), "and not counted: the monitor never shows more than the limit");
        stats.clientClosed();
        assertTrue(stats.admit(2));
    }

    @Test
    void aRefusedClientIsToldWith53300AtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel(new RefusedClient(2));
        ByteBuf error = channel.readOutbound();
        assertEquals('E', error.getByte(0));
        String fields = error.toString(5, error.readableBytes() - 5, StandardCharsets.UTF_8);
        error.release();
        assertTrue(fields.contains("SFATAL\0") && fields.contains("C53300\0") && fields.contains("M" + RefusedClient.TOO_MANY),
                fields);
        // An EmbeddedChannel cannot half-close: it is closed; a socket would read and drop until the client closes.
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFailedAcceptPausesAcceptingForASecondAndALineAtMost() {
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptFailures(new RateLimitedLog()));
        listener.freezeTime();
        listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
        listener.checkException(); // handled: no stack trace reaches Netty's tail handler
        assertFalse(listener.config().isAutoRead(), "retrying at once would fail at once");
        listener.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
        listener.advanceTimeBy(AcceptFailures.PAUSE_MS - 1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertFalse(listener.config().isAutoRead());
        listener.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertTrue(listener.config().isAutoRead(), "accepting again after the pause");
        listener.finishAndReleaseAll();
    }
}
