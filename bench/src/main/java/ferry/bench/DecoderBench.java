package ferry.bench;

import ferry.protocol.FrameDecoder;
import ferry.protocol.FrameEncoder;
import ferry.protocol.FrameLimits;
import ferry.protocol.FrameSink;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The frame decoder over a stream of {@value #FRAMES} PING frames with 64-byte bodies, fed as the
 * kernel might hand it over: {@code sticky} (every frame glued in one read, TCP's "sticky
 * packets") or {@code fragmented} ({@value #FRAGMENT_BYTES}-byte reads, so every length prefix
 * and header is cut). Scores and {@code gc.alloc.rate.norm} are per frame.
 *
 * <p>The decoder and the input buffer are reused across invocations (a decoder returns to
 * READ_LEN after a whole frame), so allocation measured is the decoder's own: the Header per
 * frame, and under fragmentation the scratch array a cut header is gathered in.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecoderBench {
    static final int FRAMES = 64;
    static final int BODY_BYTES = 64;
    /** Smaller than a length prefix plus a header: every frame is split several times. */
    static final int FRAGMENT_BYTES = 7;

    @Param({"sticky", "fragmented"})
    public String input;

    private ByteBuffer stream;
    private int chunk;
    private int length;
    private FrameDecoder decoder;
    private final CountingSink sink = new CountingSink();

    /** Counts frames; hands headers and body chunks to the blackhole so nothing is dead code. */
    static final class CountingSink implements FrameSink {
        Blackhole bh;
        long frames;

        @Override
        public boolean onHeader(Header header) {
            bh.consume(header);
            return true;
        }

        @Override
        public boolean onBody(ByteBuffer chunk) {
            bh.consume(chunk.get(chunk.position()));
            return true;
        }

        @Override
        public boolean onFrameEnd() {
            frames++;
            return true;
        }
    }

    @Setup
    public void setUp() {
        FrameEncoder enc = new FrameEncoder();
        stream = ByteBuffer.allocateDirect(FRAMES * 128);
        byte[] body = new byte[BODY_BYTES];
        for (int i = 0; i < FRAMES; i++) {
            enc.encode(Header.op("PING").put(Header.ID, 100_000L + i).put(Header.SIZE, (long) BODY_BYTES), stream);
            stream.put(body);
        }
        stream.flip();
        length = stream.limit();
        chunk = input.equals("sticky") ? stream.limit() : FRAGMENT_BYTES;
        decoder = new FrameDecoder(FrameLimits.DEFAULT.withExpectPreamble(false));
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decode(Blackhole bh) throws ProtocolException {
        sink.bh = bh;
        for (int pos = 0; pos < length; pos += chunk) {
            stream.limit(Math.min(pos + chunk, length)).position(pos);
            decoder.decode(stream, sink);
        }
        return sink.frames;
    }
}
