package io.pgrouter.pipeline.readsplit;

import static io.pgrouter.spi.protocol.MessageType.Backend.DATA_ROW;
import static io.pgrouter.spi.protocol.MessageType.Backend.PARSE_COMPLETE;
import static io.pgrouter.spi.protocol.MessageType.Backend.ROW_DESCRIPTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgrouter.pipeline.readsplit.ReplicaStatement.Answer;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.SqlState;
import io.pgrouter.spi.protocol.FrontendMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaStatementTest {
    @Test
    void rowDescriptionAndNoticesAreHeldUntilTheFirstRow() {
        ByteBuf query = message('Q', "select f()\0");
        ReplicaStatement st = new ReplicaStatement(query);
        ByteBuf rowDescription = message('T', "\0\0");
        ByteBuf notice = message('N', "SNOTICE\0\0");
        assertTrue(st.hold(rowDescription));
        assertTrue(st.hold(notice));
        ByteBuf row = message('D', "\0\0");
        assertFalse(st.hold(row), "a row settles the statement");
        List<ByteBuf> sent = new ArrayList<>();
        st.startForwarding(sent::add);
        assertEquals(List.of(rowDescription, notice), sent, "what was held goes first, in order");
        assertEquals(0, query.refCnt(), "once forwarding, the query kept for a retry is released");
        sent.forEach(ByteBuf::release);
        row.release();
        st.release();
    }

    @Test
    void aRetryTakesTheQueryAndDropsWhatWasHeld() {
        ByteBuf query = message('Q', "select f()\0");
        ReplicaStatement st = new ReplicaStatement(query);
        ByteBuf rowDescription = message('T', "\0\0");
        assertTrue(st.hold(rowDescription));
        ByteBuf retry = st.takeQuery();
        assertEquals("select f()", FrontendMessages.queryText(retry));
        st.release();
        assertEquals(0, rowDescription.refCnt());
        assertEquals(1, retry.refCnt());
        retry.release();
    }

    @Test
    void insideAReplicaTransactionNothingIsHeldAndNothingCanBeRetried() {
        ReplicaStatement st = ReplicaStatement.inTransaction();
        assertTrue(st.forwarding(), "the answer goes to the client as it comes");
        assertEquals(null, st.takeQuery(), "no copy is kept for a retry on the primary");
        st.release();
    }

    @Test
    void holdingStopsAtTheBound() {
        ReplicaStatement st = new ReplicaStatement(message('Q', "select 1\0"));
        ByteBuf big = message('N', "M" + "x".repeat(ReplicaStatement.HOLD_LIMIT) + "\0\0");
        assertFalse(st.hold(big), "past the bound the answer is forwarded and no longer retried");
        big.release();
        st.release();
    }

    @Test
    void refusalsAreRecognisedByTheirCode() {
        ByteBuf readOnly = message('E', "SERROR\0C25006\0Mcannot execute INSERT in a read-only transaction\0\0");
        ByteBuf syntax = message('E', "SERROR\0C42601\0Msyntax error\0\0");
        assertTrue(ReplicaStatement.isReplicaRefusal(readOnly));
        assertFalse(ReplicaStatement.isReplicaRefusal(syntax), "a genuine error is the client's answer, not retried");
        readOnly.release();
        syntax.release();
    }

    @Test
    void lazyParseCompletesComeFirstAndAFailedLazyParseIsTheReplicasOnlyOutsideItsTransaction() {
        ReplicaStatement st = new ReplicaStatement(message('Q', "select 1\0"));
        st.preparedLazily(2);
        assertEquals(Answer.LAZY_PARSED, answer(st, message((char) PARSE_COMPLETE, ""), false));
        assertTrue(st.owesParses());
        assertEquals(Answer.LAZY_PARSE_FAILED, answer(st, error("ERROR", "42P01"), false));
        assertFalse(st.owesParses(), "nothing more is owed after the error");
        st.release();

        ReplicaStatement inTransaction = ReplicaStatement.inTransaction();
        inTransaction.preparedLazily(1);
        assertEquals(Answer.FORWARD, answer(inTransaction, error("ERROR", "42P01"), true), "the client hears of it");
        assertFalse(inTransaction.owesParses());
        inTransaction.release();
    }

    @Test
    void beforeTheAnswerSettlesARefusalOrAFatalSendsItToThePrimary() {
        ReplicaStatement st = new ReplicaStatement(message('Q', "select 1\0"));
        assertEquals(Answer.REFUSED, answer(st, error("ERROR", SqlState.READ_ONLY_SQL_TRANSACTION), false));
        assertEquals(Answer.GOING_AWAY, answer(st, error("FATAL", SqlState.ADMIN_SHUTDOWN), false));
        ByteBuf rowDescription = message((char) ROW_DESCRIPTION, "\0\0");
        assertEquals(Answer.HELD, st.answer(rowDescription, ROW_DESCRIPTION, false));
        assertEquals(Answer.SETTLES, answer(st, message((char) DATA_ROW, "\0\0"), false));
        st.startForwarding(ByteBuf::release);
        assertEquals(Answer.FORWARD, answer(st, error("FATAL", SqlState.ADMIN_SHUTDOWN), false),
                "once forwarding, even a FATAL is the client's");
        st.release();
    }

    /** What the message is to the statement; the message is released unless held. */
    private static Answer answer(ReplicaStatement st, ByteBuf message, boolean inTransaction) {
        Answer a = st.answer(message, message.getByte(message.readerIndex()), inTransaction);
        if (a != Answer.HELD) {
            message.release();
        }
        return a;
    }

    private static ByteBuf error(String severity, String sqlState) {
        return BackendMessages.errorResponse(UnpooledByteBufAllocator.DEFAULT, severity, sqlState, "m");
    }

    private static ByteBuf message(char type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer().writeByte(type).writeInt(b.length + 4).writeBytes(b);
    }
}
