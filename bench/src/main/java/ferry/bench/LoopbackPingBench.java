package ferry.bench;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One PING/PONG round trip over loopback between the blocking {@link FerryClient} and an
 * in-process {@link FerryServer}, with TCP_NODELAY on both ends as the parameter. The client
 * coalesces each request into one write, so Nagle has nothing to hold back and both settings
 * should match; the load test's {@code --write-pattern split} shows what happens otherwise.
 * SampleTime mode, so JMH reports p50/p90/p99 of the round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoopbackPingBench {
    @Param({"true", "false"})
    public boolean noDelay;

    private FerryServer server;
    private FerryClient client;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = new FerryServer(ServerConfig.builder().port(0).tcpNoDelay(noDelay).build());
        server.start();
        client = FerryClient.connect("127.0.0.1", server.port(), ClientOptions.defaults().withTcpNoDelay(noDelay));
        client.hello();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        server.stop(1, TimeUnit.SECONDS);
    }

    @Benchmark
    public long roundTrip() throws IOException {
        return client.ping();
    }
}
