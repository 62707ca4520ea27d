package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.client.FerryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * {@code ferry ping [HOST]}: round trips to a server, reported like ping(8): one line per
 * reply, then min/avg/max/mdev. {@code -q} prints only the summary.
 */
public final class PingCommand extends Command {
    static final int DEFAULT_COUNT = 4;
    static final long DEFAULT_INTERVAL_MILLIS = 1000;
    /**
     * Largest payload: PING echoes while the client is still sending, so a payload must fit in
     * the socket buffers and the server's output allowance (64 KiB by default) to never stall.
     */
    public static final long MAX_PAYLOAD_BYTES = 64 * Units.KIB;

    private final Option<Integer> count = option(Option.value("count", "N", ValueType.integer(1, 1_000_000),
            DEFAULT_COUNT, "stop after N replies").shortName('c'));
    private final Option<Long> interval = option(Option.value("interval", "DURATION",
            ValueType.duration(0, 3_600_000), DEFAULT_INTERVAL_MILLIS, "wait between pings").shortName('i'));
    private final Option<Long> size = option(Option.value("size", "SIZE", ValueType.size(0, MAX_PAYLOAD_BYTES),
            0L, "payload echoed by each ping (up to 64k)").shortName('s'));
    private final ClientFlags client = new ClientFlags(this);

    public PingCommand() {
        super("ping", "measure round trips to a server");
        arguments("[HOST]");
    }

    @Override
    public String description() {
        return "Measure round trips to a server over one connection, like ping(8): PING frames (with an optional "
                + "payload the server echoes) and their PONG answers. HOST is [user@]host[:port], 127.0.0.1:7373 "
                + "when omitted. With -q only the summary is printed.";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        Console console = inv.console();
        PrintStream out = console.out();
        int n = inv.args().get(count);
        long pause = inv.args().get(interval);
        byte[] payload = new byte[(int) (long) inv.args().get(size)];
        new Random(n).nextBytes(payload);
        Connector connector = client.connector(inv);
        try (RemoteClient rc = connector.open(remote, false)) {
            out.println("PING " + remote.hostPort() + " (" + rc.serverDescription() + "): " + payload.length
                    + " bytes of payload");
            double[] times = new double[n];
            int received = 0;
            long t0 = System.nanoTime();
            String failure = null;
            for (int i = 0; i < n; i++) {
                try {
                    long rtt = once(rc.client(), payload);
                    times[received++] = rtt / 1e6;
                    if (!console.quiet()) {
                        out.println(payload.length + " bytes from " + remote.hostPort() + ": seq=" + (i + 1)
                                + " time=" + ms(rtt / 1e6) + " ms");
                        out.flush();
                    }
                } catch (IOException e) {
                    failure = ErrorMessages.describe(e);
                    break;
                }
                if (i + 1 < n && pause > 0) {
                    Thread.sleep(pause);
                }
            }
            long elapsed = System.nanoTime() - t0;
            out.println();
            out.println("--- " + remote.hostPort() + " ping statistics ---");
            out.println(n + " sent, " + received + " received, " + (100 * (n - received) / n) + "% lost, time "
                    + elapsed / 1_000_000 + " ms");
            if (received > 0) {
                out.println("rtt min/avg/max/mdev = " + stats(Arrays.copyOf(times, received)) + " ms");
            }
            out.flush();
            if (failure != null) {
                throw new CliException("lost " + remote.hostPort() + " after " + received + " replies: " + failure);
            }
        }
        return Command.EXIT_OK;
    }

    /** One round trip; checks the echo. Returns nanoseconds. */
    public static long once(FerryClient c, byte[] payload) throws IOException {
        if (payload.length == 0) {
            return c.ping();
        }
        long t0 = System.nanoTime();
        byte[] echo = c.ping(payload);
        long rtt = System.nanoTime() - t0;
        if (!Arrays.equals(echo, payload)) {
            throw new IOException("the echoed payload differs from what was sent");
        }
        return rtt;
    }

    /** {@code min/avg/max/mdev} in ms, as ping(8) prints them (mdev: standard deviation). */
    static String stats(double[] ms) {
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        double sumSq = 0;
        for (double t : ms) {
            min = Math.min(min, t);
            max = Math.max(max, t);
            sum += t;
            sumSq += t * t;
        }
        double avg = sum / ms.length;
        double mdev = Math.sqrt(Math.max(0, sumSq / ms.length - avg * avg));
        return ms(min) + "/" + ms(avg) + "/" + ms(max) + "/" + ms(mdev);
    }

    public static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
