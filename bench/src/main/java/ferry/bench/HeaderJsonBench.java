package ferry.bench;

import ferry.protocol.Header;
import ferry.protocol.JsonReader;
import ferry.protocol.JsonWriter;
import ferry.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Header JSON on its own: parsing into a fresh {@link Header} (what the decoder does per frame)
 * and writing a header with a reused {@link JsonWriter} (what the encoder does). Two shapes:
 * {@code ping}, the smallest request, and {@code get}, a file request with a path, offsets and a
 * digest name.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderJsonBench {
    static final String PING = "{\"op\":\"PING\",\"id\":123456,\"size\":64}";
    static final String GET = "{\"op\":\"GET\",\"id\":123456,\"path\":\"videos/2024/holiday-trip.mp4\","
            + "\"offset\":1073741824,\"length\":3221225472,\"digest\":\"md5\",\"resume\":true}";

    @Param({"ping", "get"})
    public String header;

    private ByteBuffer bytes;
    private int length;
    private final JsonReader reader = new JsonReader(16);
    private final JsonWriter writer = new JsonWriter();
    private Header parsed;

    @Setup
    public void setUp() throws ProtocolException {
        byte[] b = (header.equals("ping") ? PING : GET).getBytes(StandardCharsets.UTF_8);
        bytes = ByteBuffer.allocateDirect(b.length).put(b).flip();
        length = b.length;
        parsed = new Header();
        reader.parseObjectInto(bytes, 0, length, parsed);
    }

    @Benchmark
    public Header parse() throws ProtocolException {
        Header h = new Header();
        reader.parseObjectInto(bytes, 0, length, h);
        return h;
    }

    @Benchmark
    public int write() {
        return writer.reset().header(parsed).length();
    }
}
