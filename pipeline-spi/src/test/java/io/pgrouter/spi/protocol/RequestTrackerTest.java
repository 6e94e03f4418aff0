package io.pgrouter.spi.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is open on a backend connection and whose its answers are, from real message bytes. */
class RequestTrackerTest {
    private final RequestTracker activity = new RequestTracker();

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

    @Test
    void answersToInternalRequestsAreLeftOutExceptWhatTheClientMustHear() {
        sent(query("DISCARD ALL"), true);
        sent(query("select 1"), false);
        assertTrue(activity.internalPending());
        ByteBuf answers = run(message('C', "DISCARD ALL\0".getBytes(StandardCharsets.US_ASCII)),
                message('S', "application_name\0\0".getBytes(StandardCharsets.US_ASCII)), ready('I'),
                message('C', "SELECT 1\0".getBytes(StandardCharsets.US_ASCII)), ready('I'));
        List<String> kept = new ArrayList<>();
        activity.received(answers, (from, to) -> kept.add(types(answers, from, to)));
        answers.release();
        assertEquals(List.of("S", "CZ"), kept, "the reset's CommandComplete and ReadyForQuery are core's");
        assertFalse(activity.internalPending());
        assertTrue(activity.idle());
    }

    @Test
    void anInternalRequestSentBehindThePipelinesIsAnsweredAfterIt() {
        sent(query("select 1"), false);
        sent(query("SET search_path = x"), true);
        ByteBuf answers = run(ready('I'), message('E', "SERROR\0\0".getBytes(StandardCharsets.US_ASCII)), ready('I'));
        List<String> kept = new ArrayList<>();
        activity.received(answers, (from, to) -> kept.add(types(answers, from, to)));
        answers.release();
        assertEquals(List.of("Z"), kept, "the internal request's error is not the client's");
        assertTrue(activity.idle());
    }

    private void sent(ByteBuf messages, boolean internal) {
        activity.sent(messages, internal);
        messages.release();
    }

    private static String types(ByteBuf messages, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int at = from; at < to; at += 1 + messages.getInt(at + 1)) {
            sb.append((char) messages.getByte(at));
        }
        return sb.toString();
    }

    @Test
    void anAnsweredInternalQueryHandsItsFirstValueBackAndKeepsItsAnswerFromThePipeline() {
        sent(query("insert into t values (1)"));
        FirstValue position = new FirstValue();
        ByteBuf q = query("select pg_current_wal_insert_lsn()");
        activity.sentInternal(q, position);
        q.release();
        ByteBuf answers = run(message('C', "INSERT 0 1\0".getBytes(StandardCharsets.US_ASCII)), ready('I'),
                BackendMessages.rowDescription(UnpooledByteBufAllocator.DEFAULT, "v"), BackendMessages.dataRow(UnpooledByteBufAllocator.DEFAULT, "0/3000060"),
                message('C', "SELECT 1\0".getBytes(StandardCharsets.US_ASCII)), ready('I'));
        List<int[]> kept = new ArrayList<>();
        activity.received(answers, (from, to) -> kept.add(new int[] {from, to}));
        assertEquals(1, kept.size(), "only the write's answer");
        assertEquals('Z', answers.getByte(kept.get(0)[1] - 6), "up to its ReadyForQuery");
        answers.release();
        assertEquals("0/3000060", position.result().join());
        assertTrue(activity.idle());
    }

    @Test
    void anInternalQueryThatFailsOrIsLostCompletesExceptionally() {
        FirstValue refused = new FirstValue();
        ByteBuf q = query("select pg_current_wal_insert_lsn()");
        activity.sentInternal(q, refused);
        q.release();
        ByteBuf answers = run(BackendMessages.errorResponse(UnpooledByteBufAllocator.DEFAULT, "ERROR", "55000", "recovery is in progress"),
                ready('I'));
        activity.received(answers, (from, to) -> { });
        answers.release();
        assertEquals("55000", assertThrowsInternal(refused).sqlState());

        FirstValue lost = new FirstValue();
        q = query("select 1");
        activity.sentInternal(q, lost);
        q.release();
        activity.closed();
        assertEquals(SqlState.CONNECTION_FAILURE, assertThrowsInternal(lost).sqlState());
    }

    private static io.pgrouter.spi.pipeline.InternalQueryException assertThrowsInternal(FirstValue v) {
        java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CompletionException.class, () -> v.result().join());
        return (io.pgrouter.spi.pipeline.InternalQueryException) e.getCause();
    }
}
