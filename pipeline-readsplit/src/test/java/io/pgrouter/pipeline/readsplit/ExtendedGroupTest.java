package io.pgrouter.pipeline.readsplit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgrouter.spi.protocol.FrontendMessages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtendedGroupTest {
    @Test
    void mergesTheGroupIntoOneBufferInOrderAndReleasesTheParts() {
        ExtendedGroup group = new ExtendedGroup();
        ByteBuf parse = message('P', "\0select 1\0\0\0");
        ByteBuf sync = message('S', "");
        int parseBytes = parse.readableBytes();
        int syncBytes = sync.readableBytes();
        group.add(parse);
        group.add(sync);
        assertNull(group.notReplicaReason(), "nothing said no");
        ByteBuf merged = group.merge(ByteBufAllocator.DEFAULT);
        assertEquals(parseBytes + syncBytes, merged.readableBytes());
        assertEquals('P', merged.getByte(0));
        assertEquals('S', merged.getByte(parseBytes));
        assertEquals(0, parse.refCnt());
        assertEquals(0, sync.refCnt());
        merged.release();
        group.reset();
    }

    @Test
    void theFirstReasonAgainstAReplicaIsKept() {
        ExtendedGroup group = new ExtendedGroup();
        group.notReplica("named statement");
        group.notReplica("Close");
        assertEquals("named statement", group.notReplicaReason());
        group.reset();
        assertNull(group.notReplicaReason(), "a new group starts eligible");
    }

    @Test
    void aFlushedGroupSendsTheRestToThePrimaryUntilSync() {
        ExtendedGroup group = new ExtendedGroup();
        ByteBuf parse = message('P', "\0select 1\0\0\0");
        group.add(parse);
        List<ByteBuf> out = group.flushToPrimary();
        assertEquals(List.of(parse), out);
        assertTrue(group.onPrimary());
        assertTrue(group.isEmpty());
        parse.release();
        group.reset();
        assertFalse(group.onPrimary());
    }

    @Test
    void namesAreReadInPlace() {
        ByteBuf bind = message('B', "\0S_1\0\0\0\0\0\0\0");
        ByteBuf unnamedBind = message('B', "\0\0\0\0\0\0\0\0");
        ByteBuf execute = message('E', "\0\0\0\0\0");
        ByteBuf describe = message('D', "Sstmt\0");
        assertEquals("S_1", FrontendMessages.bindStatement(bind));
        assertEquals("", FrontendMessages.bindStatement(unnamedBind));
        assertTrue(FrontendMessages.namesUnnamed(unnamedBind), "the unnamed portal");
        assertTrue(FrontendMessages.namesUnnamed(execute));
        assertEquals("stmt", FrontendMessages.name(describe));
        List.of(bind, unnamedBind, execute, describe).forEach(ByteBuf::release);
    }

    private static ByteBuf message(char type, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return Unpooled.buffer(5 + b.length).writeByte(type).writeInt(b.length + 4).writeBytes(b);
    }
}
