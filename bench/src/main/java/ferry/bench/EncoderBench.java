package ferry.bench;

import ferry.protocol.FrameEncoder;
import ferry.protocol.Header;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The frame encoder writing a PONG header frame into a direct buffer. {@code newHeader} builds
 * the header per frame as the server's PING handler does ({@code Header.reply("PONG", id)
 * .put("size", n)}: a Header, its two field arrays and a boxed id per frame); {@code reusedHeader}
 * isolates the encoder itself (the boxed id remains: ids past 127 are not cached by Long.valueOf).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncoderBench {
    static final long BODY_BYTES = 64;

    private final FrameEncoder encoder = new FrameEncoder();
    private ByteBuffer out;
    private Header reused;
    private long id = 100_000;

    @Setup
    public void setUp() {
        out = ByteBuffer.allocateDirect(4096);
        reused = Header.reply("PONG", 0).put(Header.SIZE, BODY_BYTES);
    }

    @Benchmark
    public int newHeader() {
        out.clear();
        return encoder.encode(Header.reply("PONG", id++).put(Header.SIZE, BODY_BYTES), out);
    }

    @Benchmark
    public int reusedHeader() {
        out.clear();
        return encoder.encode(reused.put(Header.ID, id++), out);
    }
}
