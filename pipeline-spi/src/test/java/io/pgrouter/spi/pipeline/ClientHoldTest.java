package io.pgrouter.spi.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Core's hold of client messages: the order a pipeline sees them in, whatever it gives back. */
class ClientHoldTest {
    private final List<String> delivered = new ArrayList<>();
    private final List<ByteBuf> live = new ArrayList<>();
    /** What the pipeline gives back instead of taking: while this says so. */
    private Predicate<String> givesBack = s -> false;
    private ClientHold hold;

    private ClientHold hold() {
        hold = new ClientHold(m -> {
            String text = m.toString(StandardCharsets.US_ASCII);
            if (givesBack.test(text)) {
                hold.hold(m);
            } else {
                delivered.add(text);
                m.release();
            }
        });
        return hold;
    }

    private ByteBuf run(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        live.add(b);
        return b;
    }

    @Test
    void whatIsGivenBackAndWhatFollowsComeAgainInOrderAtResume() {
        ClientHold h = hold();
        h.fromClient(run("a"));
        givesBack = s -> true; // no backend yet
        h.fromClient(run("b"));
        assertTrue(h.holding());
        h.fromClient(run("c")); // a later read: behind b, not shown to the pipeline
        givesBack = s -> false;
        assertTrue(h.resume(), "delivered what was held");
        assertEquals(List.of("a", "b", "c"), delivered);
        assertFalse(h.holding());
        assertFalse(h.resume(), "nothing more held");
    }

    @Test
    void givingBackAgainDuringResumeKeepsTheRestBehindIt() {
        ClientHold h = hold();
        givesBack = s -> true;
        h.fromClient(run("a"));
        h.fromClient(run("b"));
        h.fromClient(run("c"));
        givesBack = s -> s.equals("b"); // the connection went back to the pool after a: b waits again
        assertTrue(h.resume());
        assertEquals(List.of("a"), delivered);
        assertTrue(h.holding(), "holding again from b on");
        givesBack = s -> false;
        h.resume();
        assertEquals(List.of("a", "b", "c"), delivered);
    }

    @Test
    void clearReleasesWhatIsHeld() {
        ClientHold h = hold();
        givesBack = s -> true;
        h.fromClient(run("a"));
        h.fromClient(run("b"));
        h.clear();
        assertFalse(h.holding());
        for (ByteBuf b : live) {
            assertEquals(0, b.refCnt(), "released");
        }
    }
}
