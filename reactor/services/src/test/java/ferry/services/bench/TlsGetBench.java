package ferry.services.bench;

import ferry.client.ClientOptions;
import ferry.client.ClientTls;
import ferry.client.FerryClient;
import ferry.client.FileClient;
import ferry.reactor.FerryServer;
import ferry.reactor.ServerConfig;
import ferry.reactor.TlsSettings;
import ferry.reactor.TlsTestKeys;
import ferry.services.file.FileService;
import ferry.services.file.FileServiceConfig;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * GET of a warm file over loopback, plaintext (sendfile) and TLS, alternated in one process:
 * {@code java -cp ... ferry.services.bench.TlsGetBench [MiB] [rounds]}. Prints GB/s per round and
 * the process CPU seconds per GiB (server and client together: one JVM). Not a test.
 */
public final class TlsGetBench {
    private TlsGetBench() {}

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Files.createTempDirectory("ferry-tls-bench");
        Path file = root.resolve("big");
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < mib; i++) {
                out.write(block);
            }
        }
        FerryServer server = new FerryServer(ServerConfig.builder().port(0)
                .tls(TlsTestKeys.settings(TlsSettings.Plaintext.ALWAYS)).build());
        server.install(new FileService(FileServiceConfig.builder(root).tempSweepIntervalMillis(0).build()));
        server.start();
        ClientOptions plain = ClientOptions.defaults();
        ClientOptions tls = plain.withTls(ClientTls.pinned(TlsTestKeys.primary().fingerprint()));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
                for (boolean useTls : new boolean[] {false, true}) {
                    try (FerryClient c = FerryClient.connect("127.0.0.1", server.port(), useTls ? tls : plain)) {
                        FileClient files = new FileClient(c, FileClient.Options.defaults().withVerify(false));
                        long cpu0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        files.beginGet("big", 0);
                        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 18);
                        long got = 0;
                        int n;
                        while ((n = c.readBody(buf.clear())) >= 0) {
                            got += n;
                        }
                        double secs = (System.nanoTime() - t0) / 1e9;
                        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                        double gib = got / (double) (1L << 30);
                        System.out.printf("round %d %-5s %.2f GB/s  %.2f s CPU per GiB (client+server)%n", r,
                                useTls ? "tls" : "plain", got / secs / 1e9, cpu / gib);
                    }
                }
            }
        } finally {
            server.stop(2, java.util.concurrent.TimeUnit.SECONDS);
            Files.delete(file);
            Files.delete(root);
        }
    }
}
