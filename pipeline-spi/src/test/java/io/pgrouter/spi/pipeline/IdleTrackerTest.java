package io.pgrouter.spi.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class IdleTrackerTest {
    private final IdleTracker state = new IdleTracker();

    @Test
    void aSimpleQueryIsOpenUntilItsReadyForQuery() {
        assertTrue(state.idle());
        state.sent((byte) 'Q');
        assertFalse(state.idle());
        assertFalse(received('C', 'x'), "not a ReadyForQuery");
        assertFalse(state.idle());
        assertTrue(received('Z', 'I'));
        assertTrue(state.idle());
    }

    @Test
    void aTransactionStaysOpenUntilTheStatusSaysIdle() {
        state.sent((byte) 'Q');
        received('Z', 'T');
        assertFalse(state.idle(), "in a transaction");
        state.sent((byte) 'Q');
        received('Z', 'E');
        assertFalse(state.idle(), "in a failed transaction");
        state.sent((byte) 'Q');
        received('Z', 'I');
        assertTrue(state.idle());
    }

    @Test
    void anExtendedGroupIsOpenUntilItsSyncIsAnswered() {
        state.sent((byte) 'P');
        state.sent((byte) 'B');
        state.sent((byte) 'E');
        assertFalse(state.idle(), "no Sync yet");
        state.sent((byte) 'S');
        state.sent((byte) 'P');
        state.sent((byte) 'S'); // a second group pipelined behind the first
        received('Z', 'I');
        assertFalse(state.idle(), "the second Sync is unanswered");
        received('Z', 'I');
        assertTrue(state.idle());
    }

    private boolean received(char type, char status) {
        ByteBuf m = Unpooled.buffer().writeByte(type).writeInt(5).writeByte(status);
        try {
            return state.received(m);
        } finally {
            m.release();
        }
    }
}
