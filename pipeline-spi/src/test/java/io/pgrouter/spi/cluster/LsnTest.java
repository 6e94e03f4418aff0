package io.pgrouter.spi.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LsnTest {
    @Test
    void walPositionsReadAndWriteAsPostgreSQLDoes() {
        assertEquals(0x16B374D848L, Lsn.parse("16/B374D848"));
        assertEquals("16/B374D848", Lsn.format(0x16B374D848L));
        assertEquals("0/0", Lsn.format(0));
        assertEquals("FFFFFFFF/FFFFFFFF", Lsn.format(-1L));
        assertEquals("1/A", Lsn.format(0x10000000AL));
        assertEquals("0/10000000", Lsn.format(0x10000000L));
        for (long p : new long[] {1, 0xF, 0x10, 0xABCDEF0123L, Long.MAX_VALUE}) {
            assertEquals(p, Lsn.parse(Lsn.format(p)));
        }
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("16B374D848"));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("x/1"));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("1/123456789"));
    }
}
