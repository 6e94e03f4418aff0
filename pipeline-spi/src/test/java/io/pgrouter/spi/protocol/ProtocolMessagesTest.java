package io.pgrouter.spi.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The readers and builders against bytes written by hand from PostgreSQL's "Message Formats". */
class ProtocolMessagesTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> allocated = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        for (ByteBuf b : allocated) {
            assertEquals(1, b.refCnt(), "a reader or builder changed a reference count");
            b.release();
        }
    }

    private ByteBuf keep(ByteBuf b) {
        allocated.add(b);
        return b;
    }

    /** A message from its type and body, as the wire carries it. */
    private ByteBuf message(char type, String bodyWithNuls) {
        byte[] body = bodyWithNuls.getBytes(StandardCharsets.UTF_8);
        return keep(alloc.buffer().writeByte(type).writeInt(4 + body.length).writeBytes(body));
    }

    private static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }

    private byte[] expected(char type, String bodyWithNuls) {
        return bytes(message(type, bodyWithNuls));
    }

    @Test
    void queryIsTypeLengthTextNul() {
        ByteBuf q = keep(FrontendMessages.query(alloc, "SELECT 'é'"));
        assertArrayEquals(expected('Q', "SELECT 'é'\0"), bytes(q));
        assertEquals("SELECT 'é'", FrontendMessages.queryText(q));
        assertEquals(MessageType.Frontend.QUERY, Messages.type(q));
    }

    @Test
    void parseCarriesNameTextAndParameterTypes() {
        ByteBuf p = keep(FrontendMessages.parse(alloc, "S_1", "SELECT $1", 23));
        assertArrayEquals(expected('P', "S_1\0SELECT $1\0\0\1\0\0\0\27"), bytes(p));
        assertEquals("S_1", FrontendMessages.name(p));
        assertEquals("SELECT $1", FrontendMessages.parseText(p));
        assertFalse(FrontendMessages.namesUnnamed(p));

        ByteBuf unnamed = keep(FrontendMessages.parse(alloc, "", "SELECT 1"));
        assertArrayEquals(expected('P', "\0SELECT 1\0\0\0"), bytes(unnamed));
        assertTrue(FrontendMessages.namesUnnamed(unnamed));
    }

    @Test
    void bindWritesTextParametersAndNull() {
        ByteBuf b = keep(FrontendMessages.bind(alloc, "", "S_1", "42", null));
        ByteBuf wire = message('B', "\0S_1\0\0\0\0\2\0\0\0\2" + "42").writeInt(-1).writeShort(0);
        wire.setInt(1, wire.writerIndex() - 1);
        assertArrayEquals(bytes(wire), bytes(b));
        assertEquals("", FrontendMessages.name(b));
        assertEquals("S_1", FrontendMessages.bindStatement(b));
    }

    @Test
    void closeNamesStatementOrPortal() {
        ByteBuf s = keep(FrontendMessages.closeStatement(alloc, "S_2"));
        assertArrayEquals(expected('C', "SS_2\0"), bytes(s));
        assertEquals(FrontendMessages.STATEMENT, FrontendMessages.target(s));
        assertEquals("S_2", FrontendMessages.name(s));

        ByteBuf p = keep(FrontendMessages.closePortal(alloc, ""));
        assertArrayEquals(expected('C', "P\0"), bytes(p));
        assertEquals(FrontendMessages.PORTAL, FrontendMessages.target(p));
        assertTrue(FrontendMessages.namesUnnamed(p));
    }

    @Test
    void buildersEncodeTextOfAnyWidthAndSizeTheirBuffersExactly() {
        // é takes two bytes in UTF-8, € three: a builder that counted chars would get every length wrong.
        ByteBuf p = keep(FrontendMessages.parse(alloc, "s_é", "SELECT '€'"));
        assertArrayEquals(expected('P', "s_é\0SELECT '€'\0\0\0"), bytes(p));
        assertEquals(p.writerIndex(), p.capacity());

        ByteBuf b = keep(FrontendMessages.bind(alloc, "p_€", "s_é", "€uro", null, ""));
        ByteBuf wire = message('B', "p_€\0s_é\0\0\0\0\3").writeInt(6).writeBytes("€uro".getBytes(StandardCharsets.UTF_8))
                .writeInt(-1).writeInt(0).writeShort(0);
        wire.setInt(1, wire.writerIndex() - 1);
        assertArrayEquals(bytes(wire), bytes(b));
        assertEquals(b.writerIndex(), b.capacity());

        ByteBuf c = keep(FrontendMessages.closeStatement(alloc, "s_é"));
        assertArrayEquals(expected('C', "Ss_é\0"), bytes(c));
        assertEquals(c.writerIndex() + 5, c.capacity(), "room for exactly one Sync after it");

        ByteBuf e = keep(BackendMessages.errorResponse(alloc, "FATAL", SqlState.TOO_MANY_CONNECTIONS, "pool «main» is full: 20 €"));
        assertArrayEquals(expected('E', "SFATAL\0VFATAL\0C53300\0Mpool «main» is full: 20 €\0\0"), bytes(e));
        assertEquals(e.writerIndex(), e.capacity());
        assertEquals("pool «main» is full: 20 €", BackendMessages.message(e));

        ByteBuf done = keep(BackendMessages.commandComplete(alloc, "SELECT é"));
        assertArrayEquals(expected('C', "SELECT é\0"), bytes(done));
        assertEquals(done.writerIndex(), done.capacity());

        ByteBuf row = keep(BackendMessages.dataRow(alloc, "€", null));
        ByteBuf rowWire = message('D', "\0\2").writeInt(3).writeBytes("€".getBytes(StandardCharsets.UTF_8)).writeInt(-1);
        rowWire.setInt(1, rowWire.writerIndex() - 1);
        assertArrayEquals(bytes(rowWire), bytes(row));
    }

    @Test
    void syncAloneAndAppended() {
        assertArrayEquals(expected('S', ""), bytes(keep(FrontendMessages.sync(alloc))));
        ByteBuf both = keep(FrontendMessages.writeSync(FrontendMessages.closeStatement(alloc, "x")));
        assertArrayEquals(bytes(message('C', "Sx\0").writeBytes(message('S', ""))), bytes(both));
        assertTrue(Messages.contains(both, MessageType.Frontend.SYNC));
        assertEquals(both.writerIndex() - 5, Messages.next(both, both.readerIndex()));
    }

    @Test
    void errorResponseFieldsRoundTrip() {
        ByteBuf e = keep(BackendMessages.errorResponse(alloc, "ERROR", SqlState.READ_ONLY_SQL_TRANSACTION,
                "cannot execute INSERT in a read-only transaction"));
        assertArrayEquals(expected('E', "SERROR\0VERROR\0C25006\0Mcannot execute INSERT in a read-only transaction\0\0"),
                bytes(e));
        assertEquals("ERROR", BackendMessages.severity(e));
        assertEquals("25006", BackendMessages.sqlState(e));
        assertTrue(BackendMessages.hasSqlState(e, SqlState.READ_ONLY_SQL_TRANSACTION));
        assertFalse(BackendMessages.hasSqlState(e, "2500"));
        assertEquals("cannot execute INSERT in a read-only transaction", BackendMessages.message(e));
        assertFalse(BackendMessages.isFatal(e));
        assertEquals("", BackendMessages.field(e, (byte) 'D'));
    }

    @Test
    void severityPrefersTheNonLocalizedField() {
        ByteBuf localized = message('E', "SSCHWERWIEGEND\0VFATAL\0C57P01\0Mbye\0\0");
        assertEquals("FATAL", BackendMessages.severity(localized));
        assertTrue(BackendMessages.isFatal(localized));
        ByteBuf old = message('E', "SPANIC\0C XX000\0\0");
        assertTrue(BackendMessages.isFatal(old));
        assertEquals("", BackendMessages.message(old));
    }

    @Test
    void fieldsAreReadInsideARunOfMessages() {
        ByteBuf run = message('N', "SNOTICE\0C00000\0Mhi\0\0");
        int second = run.writerIndex();
        run.writeBytes(message('E', "SERROR\0C42P01\0Mno table\0\0"));
        int at = BackendMessages.fieldAt(run, second, BackendMessages.FIELD_SQLSTATE);
        assertEquals("42P01", Messages.cstring(run, at));
        assertEquals(-1, BackendMessages.fieldAt(run, run.readerIndex(), (byte) 'D'));
    }

    @Test
    void noticeResponse() {
        ByteBuf n = keep(BackendMessages.noticeResponse(alloc, "NOTICE", SqlState.SUCCESSFUL_COMPLETION, "routed"));
        assertArrayEquals(expected('N', "SNOTICE\0VNOTICE\0C00000\0Mrouted\0\0"), bytes(n));
    }

    @Test
    void readyForQueryStatus() {
        ByteBuf z = keep(BackendMessages.readyForQuery(alloc, BackendMessages.IN_TRANSACTION));
        assertArrayEquals(expected('Z', "T"), bytes(z));
        assertEquals(BackendMessages.IN_TRANSACTION, BackendMessages.transactionStatus(z));
        ByteBuf run = message('C', "SELECT 1\0").writeBytes(message('Z', "I"));
        assertEquals(BackendMessages.IDLE, BackendMessages.transactionStatus(run, Messages.next(run, 0)));
    }

    @Test
    void parameterStatus() {
        ByteBuf s = message('S', "standard_conforming_strings\0on\0");
        assertTrue(BackendMessages.isParameter(s, "standard_conforming_strings"));
        assertFalse(BackendMessages.isParameter(s, "standard_conforming"));
        assertEquals("on", BackendMessages.parameterValue(s));
        ByteBuf built = keep(BackendMessages.parameterStatus(alloc, "application_name", "café"));
        assertArrayEquals(expected('S', "application_name\0café\0"), bytes(built));
        assertEquals(built.writerIndex(), built.capacity(), "sized exactly: the UTF-8 length was counted, not guessed");
    }

    @Test
    void cstringsAreReadAndComparedInPlace() {
        ByteBuf b = keep(alloc.buffer().writeBytes("xxabc\0def".getBytes(StandardCharsets.US_ASCII)));
        b.readerIndex(2);
        assertEquals(5, Messages.cstringEnd(b, 2));
        assertEquals("abc", Messages.cstring(b, 2));
        assertTrue(Messages.cstringEquals(b, 2, "abc".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(Messages.cstringEquals(b, 2, "ab".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(Messages.cstringEquals(b, 2, "abcd".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(Messages.startsWith(b, 2, "ab".getBytes(StandardCharsets.US_ASCII)));
        assertNull(Messages.cstring(b, 6), "no NUL before the end");
        assertEquals(b.writerIndex(), Messages.skipCstring(b, 6));
        assertEquals(-1, Messages.cstringEnd(b, b.writerIndex()));
        assertEquals(2, b.readerIndex(), "readers leave the indexes alone");
    }

    @Test
    void namesForLogsSayWhichSide() {
        assertEquals("Close", MessageType.Frontend.name((byte) 'C'));
        assertEquals("CommandComplete", MessageType.Backend.name((byte) 'C'));
        assertEquals("'?'", MessageType.Backend.name((byte) '?'));
    }
}
