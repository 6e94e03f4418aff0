package io.pgrouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Core's own view of what is open on a backend connection, from real message bytes. */
class BackendActivityTest {
    private final BackendActivity activity = new BackendActivity();

    private static ByteBuf message(char type, byte[] body) {
        return Unpooled.buffer().writeByte(type).writeInt(4 + body.length).writeBytes(body);
    }

    private static ByteBuf query(String sql) {
        return message('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf ready(char status) {
        return message('Z', new byte[] {(byte) status});
    }

    private static ByteBuf run(ByteBuf... messages) {
        return Unpooled.wrappedBuffer(messages);
    }

    private void sent(ByteBuf messages) {
        activity.sent(messages);
        messages.release();
    }

    private void received(ByteBuf messages) {
        activity.received(messages);
        messages.release();
    }

    @Test
    void aQueryIsOpenUntilItsReadyForQuerySaysIdle() {
        assertTrue(activity.idle(), "a fresh connection");
        ByteBuf q = query("select 1");
        assertEquals(1, activity.sent(q));
        q.release();
        assertFalse(activity.idle());
        received(run(message('C', "SELECT 1\0".getBytes(StandardCharsets.US_ASCII)), ready('I')));
        assertTrue(activity.idle());
    }

    @Test
    void aTransactionLeftOpenIsNotIdle() {
        sent(query("begin"));
        received(ready('T'));
        assertFalse(activity.idle(), "in a transaction");
        sent(query("commit"));
        received(ready('I'));
        assertTrue(activity.idle());
    }

    @Test
    void anExtendedGroupIsOpenUntilItsSyncIsAnswered() {
        sent(run(message('P', new byte[] {0, 's', 0, 0, 0}), message('B', new byte[7])));
        assertFalse(activity.idle(), "Parse and Bind without Sync");
        sent(message('S', new byte[0]));
        assertFalse(activity.idle(), "the Sync is not answered yet");
        received(run(message('1', new byte[0]), message('2', new byte[0]), ready('I')));
        assertTrue(activity.idle());
    }

    @Test
    void twoPipelinedQueriesNeedTwoReadyForQuery() {
        sent(run(query("select 1"), query("select 2")));
        received(ready('I'));
        assertFalse(activity.idle(), "one of two answered");
        received(ready('I'));
        assertTrue(activity.idle());
    }

    @Test
    void aConnectionSentATerminateIsNeverIdleAgain() {
        sent(message('X', new byte[0]));
        assertFalse(activity.idle());
        received(ready('I'));
        assertFalse(activity.idle());
    }

    @Test
    void aStrayReadyForQueryDoesNotHideALaterRequest() {
        received(ready('I')); // a relayed login's own ReadyForQuery
        sent(query("select 1"));
        assertFalse(activity.idle());
    }
}
