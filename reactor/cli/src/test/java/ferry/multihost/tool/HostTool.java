package ferry.multihost.tool;

import ferry.client.ClientOptions;
import ferry.client.FerryClient;
import ferry.protocol.Header;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Test-support program run INSIDE the host containers, as
 * {@code java -cp /ferry.jar:/ferry-test ferry.multihost.tool.HostTool COMMAND ...}: a Ferry
 * client for the round before the real CLI exists, and fast test data. It needs only the JDK and
 * ferry.jar, so the fixture copies just this package's classes into each container.
 *
 * <pre>
 * ping HOST:PORT...                       HELLO + echo of a seeded 64 KiB body + BYE, per target
 * hold HOST:PORT [--read-timeout-ms N] [--pings N] [--payload-bytes N] [--seed N]
 *                                         connect + HELLO, print READY, wait for a line on stdin,
 *                                         then ping N times (each echo checked), BYE, print DONE
 * gen FILE BYTES [SEED]                   write BYTES pseudo-random bytes (same seed => same
 *                                         bytes), print their SHA-256 (computed while writing)
 * sha256 FILE                             print the file's SHA-256
 * </pre>
 *
 * Output lines start with a word the tests match ({@code ok}, {@code READY}, {@code pong},
 * {@code DONE}, {@code sha256}, {@code ERROR}). Exit codes: 0 ok, 1 a check failed (echo
 * mismatch), 2 usage, 3 an I/O error talking to a server (the line says which exception).
 */
public final class HostTool {
    static final int EXIT_OK = 0;
    static final int EXIT_CHECK_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_IO = 3;

    /** Body of each ping: big enough to take several TCP segments. */
    static final int DEFAULT_PAYLOAD_BYTES = 64 * 1024;
    /** Generator and digest buffer: large enough that per-call costs vanish, small enough for L2. */
    static final int GEN_BUFFER_BYTES = 1024 * 1024;
    static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 5_000;
    static final long DEFAULT_READ_TIMEOUT_MILLIS = 10_000;

    private final PrintStream out;
    private final InputStream in;

    HostTool(PrintStream out, InputStream in) {
        this.out = out;
        this.in = in;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.exit(new HostTool(out, System.in).run(args));
    }

    int run(String[] args) throws Exception {
        if (args.length == 0) {
            return usage("no command");
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "ping" -> ping(rest);
            case "hold" -> hold(rest);
            case "gen" -> gen(rest);
            case "sha256" -> sha256(rest);
            default -> usage("unknown command " + args[0]);
        };
    }

    private int usage(String why) {
        out.println("ERROR usage: " + why + " (see HostTool's Javadoc)");
        return EXIT_USAGE;
    }

    // ---- ping --------------------------------------------------------------------------------

    private int ping(String[] targets) {
        if (targets.length == 0) {
            return usage("ping HOST:PORT...");
        }
        int worst = EXIT_OK;
        ClientOptions options = ClientOptions.defaults()
                .withConnectTimeoutMillis(DEFAULT_CONNECT_TIMEOUT_MILLIS)
                .withReadTimeoutMillis(DEFAULT_READ_TIMEOUT_MILLIS)
                .withClientName("ferry-hosttool");
        byte[] body = randomBytes(DEFAULT_PAYLOAD_BYTES, 42);
        for (String target : targets) {
            String host = target.substring(0, target.lastIndexOf(':'));
            int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
            try (FerryClient c = FerryClient.connect(host, port, options)) {
                Header hello = c.hello();
                byte[] echo = c.ping(body);
                if (!Arrays.equals(body, echo)) {
                    out.println("ERROR " + target + " echoed different bytes");
                    worst = Math.max(worst, EXIT_CHECK_FAILED);
                    continue;
                }
                c.bye();
                out.println("ok " + target + " server=" + hello.getString("server", "?") + " version="
                        + hello.getString("version", "?") + " peer=" + c.address().getAddress().getHostAddress());
            } catch (IOException | UnresolvedAddressException e) {
                out.println("ERROR " + target + " " + describe(e));
                worst = EXIT_IO;
            }
        }
        return worst;
    }

    // ---- hold --------------------------------------------------------------------------------

    private int hold(String[] args) throws IOException {
        if (args.length == 0) {
            return usage("hold HOST:PORT [options]");
        }
        String target = args[0];
        long readTimeout = DEFAULT_READ_TIMEOUT_MILLIS;
        int pings = 1;
        int payload = DEFAULT_PAYLOAD_BYTES;
        long seed = 1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--read-timeout-ms" -> readTimeout = Long.parseLong(args[++i]);
                case "--pings" -> pings = Integer.parseInt(args[++i]);
                case "--payload-bytes" -> payload = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> {
                    return usage("unknown option " + args[i]);
                }
            }
        }
        ClientOptions options = ClientOptions.defaults()
                .withConnectTimeoutMillis(DEFAULT_CONNECT_TIMEOUT_MILLIS)
                .withReadTimeoutMillis(readTimeout)
                .withClientName("ferry-hosttool");
        String host = target.substring(0, target.lastIndexOf(':'));
        int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        byte[] body = randomBytes(payload, seed);
        FerryClient c;
        try {
            c = FerryClient.connect(host, port, options);
            c.hello();
        } catch (IOException | UnresolvedAddressException e) {
            out.println("ERROR connect " + describe(e));
            return EXIT_IO;
        }
        try (c) {
            out.println("READY " + target + " peer=" + c.address().getAddress().getHostAddress());
            BufferedReader stdin = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            if (stdin.readLine() == null) {
                out.println("ERROR stdin closed before go");
                return EXIT_USAGE;
            }
            for (int i = 1; i <= pings; i++) {
                if (!Arrays.equals(body, c.ping(body))) {
                    out.println("ERROR ping " + i + " echoed different bytes");
                    return EXIT_CHECK_FAILED;
                }
                out.println("pong " + i);
            }
            c.bye();
            out.println("DONE");
            return EXIT_OK;
        } catch (IOException e) {
            out.println("ERROR " + describe(e));
            return EXIT_IO;
        }
    }

    /**
     * One line for a connection failure. FerryClient.connect reports a name that does not resolve
     * with the unchecked UnresolvedAddressException (no message), so it is named here.
     */
    private static String describe(Exception e) {
        if (e instanceof UnresolvedAddressException) {
            return e.getClass().getName() + ": name does not resolve";
        }
        return e.getClass().getName() + ": " + e.getMessage();
    }

    // ---- test data ---------------------------------------------------------------------------

    private int gen(String[] args) throws IOException {
        if (args.length < 2) {
            return usage("gen FILE BYTES [SEED]");
        }
        Path file = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        long t0 = System.nanoTime();
        MessageDigest sha = sha256Digest();
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(GEN_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        LongBuffer asLongs = buf.asLongBuffer();
        long[] words = new long[GEN_BUFFER_BYTES / Long.BYTES];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = bytes;
            while (left > 0) {
                // A plain loop into long[] then one bulk copy: several times faster than putLong per word.
                for (int i = 0; i < words.length; i++) {
                    words[i] = random.nextLong();
                }
                asLongs.clear();
                asLongs.put(words);
                int n = (int) Math.min(left, GEN_BUFFER_BYTES);
                buf.position(0).limit(n);
                sha.update(buf.array(), 0, n);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                left -= n;
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.println("sha256 " + HexFormat.of().formatHex(sha.digest()) + " bytes " + bytes + " ms " + ms);
        return EXIT_OK;
    }

    private int sha256(String[] args) throws IOException {
        if (args.length != 1) {
            return usage("sha256 FILE");
        }
        long t0 = System.nanoTime();
        MessageDigest sha = sha256Digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(GEN_BUFFER_BYTES);
        long total = 0;
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) >= 0) {
                total += buf.flip().remaining();
                sha.update(buf);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        out.println("sha256 " + HexFormat.of().formatHex(sha.digest()) + " bytes " + total + " ms " + ms);
        return EXIT_OK;
    }

    /**
     * The bytes {@code gen} writes for this seed: SplittableRandom.nextBytes also lays out each
     * nextLong little-endian, so the two agree (HostToolTest checks it).
     */
    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
