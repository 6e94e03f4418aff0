package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
    @Test
    void fatalCarriesSeverityCodeAndMessageWithACorrectLength() {
        ByteBuf e = ErrorResponses.fatal(ByteBufAllocator.DEFAULT, "57P03", "no primary é");
        try {
            assertEquals('E', e.readByte());
            int length = e.readInt();
            assertEquals(e.readableBytes() + 4, length, "the length counts itself and the body");
            String body = e.toString(StandardCharsets.UTF_8);
            assertEquals("SFATAL\0VFATAL\0C57P03\0Mno primary é\0\0", body);
        } finally {
            e.release();
        }
    }
}
