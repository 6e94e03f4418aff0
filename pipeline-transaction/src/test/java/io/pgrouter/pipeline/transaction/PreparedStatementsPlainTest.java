package io.pgrouter.pipeline.transaction;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which runs of client messages the transaction pipeline may send whole. */
class PreparedStatementsPlainTest {
    private static ByteBuf run(Object... typesAndBodies) {
        ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < typesAndBodies.length; i += 2) {
            byte[] body = ((String) typesAndBodies[i + 1]).getBytes(StandardCharsets.UTF_8);
            b.writeByte((char) typesAndBodies[i]).writeInt(4 + body.length).writeBytes(body);
        }
        return b;
    }

    @Test
    void unnamedExtendedGroupsAndSimpleQueriesArePlain() {
        assertTrue(PreparedStatements.plain(run('Q', "select 1\0")));
        // pgbench -M extended: Parse, Bind, Describe portal, Execute, Sync, all unnamed
        assertTrue(PreparedStatements.plain(run('P', "\0select 1\0\0\0", 'B', "\0\0\0\0\0\0\0\0",
                'D', "P\0", 'E', "\0\0\0\0\0", 'S', "")));
        assertTrue(PreparedStatements.plain(run('C', "S\0", 'S', "")));
    }

    @Test
    void anythingNamingAPreparedStatementIsNot() {
        assertFalse(PreparedStatements.plain(run('P', "P_1\0select 1\0\0\0", 'S', "")));
        assertFalse(PreparedStatements.plain(run('B', "\0P_1\0\0\0\0\0\0\0", 'E', "\0\0\0\0\0", 'S', "")));
        assertFalse(PreparedStatements.plain(run('D', "SP_1\0", 'S', "")));
        assertFalse(PreparedStatements.plain(run('C', "SP_1\0", 'S', "")));
        assertFalse(PreparedStatements.plain(run('Q', "select 1\0", 'B', "portal\0P_1\0\0\0\0\0\0\0")));
    }

    @Test
    void malformedMessagesTakeTheCarefulWay() {
        assertFalse(PreparedStatements.plain(run('P', "")), "a Parse without a body");
        assertFalse(PreparedStatements.plain(run('B', "portal-without-end")), "a Bind whose name never ends");
    }
}
