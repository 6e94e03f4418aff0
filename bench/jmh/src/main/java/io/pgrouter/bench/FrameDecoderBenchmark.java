package io.pgrouter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgrouter.core.protocol.FrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Framing as the data path does it: one read holding a backend's whole answer to pgbench's
 * select-only query (RowDescription, DataRow, CommandComplete, ReadyForQuery) is cut into
 * messages and each is handed on. Run with {@code -prof gc} for allocations per read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameDecoderBenchmark {
    private EmbeddedChannel channel;
    private ByteBuf answer;
    private Blackhole sink;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        sink = blackhole;
        channel = new EmbeddedChannel(new FrameDecoder(1 << 30), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf m = (ByteBuf) msg;
                sink.consume(m.getByte(m.readerIndex()));
                m.release(); // as a pipeline does once the message is written on
            }
        });
        answer = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        message(answer, 'T', "\0\1abalance\0\0\0\0\0\0\0\0\0\0\u0017\0\4\377\377\377\377\0\0");
        message(answer, 'D', "\0\1\0\0\0\0010");
        message(answer, 'C', "SELECT 1\0");
        message(answer, 'Z', "I");
    }

    @Benchmark
    public void decodeSelectAnswer() {
        channel.pipeline().fireChannelRead(answer.retainedDuplicate());
        channel.pipeline().fireChannelReadComplete();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        answer.release();
        channel.finishAndReleaseAll();
    }

    private static void message(ByteBuf into, char type, String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        into.writeByte(type).writeInt(b.length + 4).writeBytes(b);
    }
}
