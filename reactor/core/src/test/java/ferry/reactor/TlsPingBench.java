package ferry.reactor;

import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import java.util.Arrays;

/**
 * Sequential PING round trips over loopback, plaintext and TLS alternated in one process:
 * {@code java -cp ... ferry.reactor.TlsPingBench [pings] [rounds]}; prints the median and p99 in
 * microseconds. Not a test.
 */
public final class TlsPingBench {
    private TlsPingBench() {}

    public static void main(String[] args) throws Exception {
        int pings = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        FerryServer server = new FerryServer(ServerConfig.builder().port(0)
                .tls(TlsTestKeys.settings(TlsSettings.Plaintext.ALWAYS)).build());
        server.start();
        ClientOptions plain = ClientOptions.defaults();
        ClientOptions tls = plain.withTls(ClientTls.pinned(TlsTestKeys.primary().fingerprint()));
        try {
            for (int r = 0; r < rounds + 1; r++) {
                for (boolean useTls : new boolean[] {false, true}) {
                    try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(), useTls ? tls : plain)) {
                        long[] rtt = new long[pings];
                        for (int i = 0; i < pings; i++) {
                            long t0 = System.nanoTime();
                            c.ping();
                            rtt[i] = System.nanoTime() - t0;
                        }
                        Arrays.sort(rtt);
                        System.out.printf("round %d %-5s median %.1f us  p99 %.1f us%n", r, useTls ? "tls" : "plain",
                                rtt[pings / 2] / 1e3, rtt[(int) (pings * 0.99)] / 1e3);
                    }
                }
            }
        } finally {
            server.stop(2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
