package io.pgrouter.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Byte-mutation fuzzing of the startup and frame decoders over realistic client traffic (what
 * psql and pgjdbc send: StartupMessage, simple and extended queries, Terminate).
 * Each mutated stream is fed in random chunks; the decoders must either decode or fail with a
 * {@link ProtocolException}, never throw anything else, never loop, and never leak a buffer.
 * Bounded by a fixed number of cases so CI time stays predictable; the seed is printed so a
 * failure can be replayed with {@code -Dfuzz.seed=N}.
 */
class DecoderFuzzTest {
    private static final int CASES = Integer.getInteger("fuzz.cases", 20_000);

    @Test
    void mutatedClientTrafficNeverCrashesHangsOrLeaks() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        byte[] traffic = realisticClientTraffic();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = mutate(traffic, random);
            try {
                if (feed(input, random)) {
                    decoded++;
                } else {
                    rejected++;
                }
            } catch (RuntimeException | AssertionError e) {
                fail("seed " + seed + ", case " + i + ": " + e, e);
            }
        }
        assertEquals(CASES, decoded + rejected);
        assertTrue(rejected > 0 && decoded > 0, "the mutations exercise both paths (seed " + seed + ")");
    }

    /** Feeds the stream in random chunks; true if it decoded cleanly, false if rejected. */
    private static boolean feed(byte[] input, Random random) {
        EmbeddedChannel channel = new EmbeddedChannel(new StartupDecoder(1 << 16));
        List<ByteBuf> inputs = new ArrayList<>();
        boolean clean = true;
        try {
            int at = 0;
            while (at < input.length) {
                int n = Math.min(input.length - at, 1 + random.nextInt(64));
                ByteBuf chunk = Unpooled.copiedBuffer(input, at, n);
                inputs.add(chunk);
                at += n;
                try {
                    channel.writeInbound(chunk);
                } catch (RuntimeException e) {
                    if (!isProtocolViolation(e)) {
                        throw e;
                    }
                    clean = false;
                    break; // the connection would be closed here
                }
                drain(channel);
            }
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (RuntimeException e) {
                if (!isProtocolViolation(e)) {
                    throw e;
                }
                clean = false;
            }
        }
        // Every chunk was handed to the decoder (feeding stops at the first failure): the decoder
        // must have released each one, whatever it made of it.
        for (ByteBuf b : inputs) {
            if (b.refCnt() != 0) {
                throw new AssertionError("the decoders leaked an input buffer (refCnt " + b.refCnt() + ")");
            }
        }
        return clean;
    }

    /** The startup decoder wraps its violations (a ByteToMessageDecoder), the frame decoder does not. */
    private static boolean isProtocolViolation(RuntimeException e) {
        return e instanceof ProtocolException
                || e instanceof DecoderException && e.getCause() instanceof ProtocolException;
    }

    private static void drain(EmbeddedChannel channel) {
        Object m;
        while ((m = channel.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    private static byte[] mutate(byte[] traffic, Random random) {
        byte[] b = traffic.clone();
        switch (random.nextInt(5)) {
            case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256); // one byte
            case 1 -> { // a burst of bytes
                int at = random.nextInt(b.length);
                for (int i = at; i < Math.min(b.length, at + 8); i++) {
                    b[i] = (byte) random.nextInt(256);
                }
            }
            case 2 -> { // a length word set to something absurd
                int at = random.nextInt(b.length - 4);
                int len = random.nextBoolean() ? random.nextInt() : random.nextInt(16);
                b[at] = (byte) (len >>> 24);
                b[at + 1] = (byte) (len >>> 16);
                b[at + 2] = (byte) (len >>> 8);
                b[at + 3] = (byte) len;
            }
            case 3 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length)); // truncated
            default -> { // unchanged stream, to keep the clean path exercised
            }
        }
        return b;
    }

    private static byte[] realisticClientTraffic() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "app");
        params.put("database", "shop");
        params.put("application_name", "psql");
        params.put("client_encoding", "UTF8");
        // No SSLRequest: a client must wait for its answer, so it never shares a read with what
        // follows (StartupDecoderTest covers it alone).
        List<ByteBuf> parts = List.of(
                Packets.startup(ProtocolCodes.PROTOCOL_3_0, params),
                Packets.message('p', "md5e3b0c44298fc1c149afbf4c8996fb924\0"),
                Packets.message('Q', "select * from orders where id = 1; select 2\0"),
                Packets.message('P', "S_1\0select $1::int\0\0\1\0\0\0\u0017"),
                Packets.message('B', "\0S_1\0\0\0\0\1\0\0\0\0014\0\0"),
                Packets.message('D', "P\0"),
                Packets.message('E', "\0\0\0\0\0"),
                Packets.message('S', ""),
                Packets.message('X', ""));
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf p : parts) {
            all.writeBytes(p);
            p.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }
}
