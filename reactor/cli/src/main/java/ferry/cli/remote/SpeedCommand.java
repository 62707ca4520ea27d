package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.cli.transfer.ProgressBar;

import java.io.IOException;
import java.util.Random;

/**
 * {@code ferry speed [HOST]}: how fast bytes go to a server and back, measured by echoing a
 * volume of data through PING payloads, with a progress bar on a terminal. It measures the path
 * (network and the server's loop), not disks.
 */
public final class SpeedCommand extends Command {
    static final long DEFAULT_SIZE_BYTES = 64 * Units.MIB;
    static final long DEFAULT_CHUNK_BYTES = 64 * Units.KIB;

    private final Option<Long> size = option(Option.value("size", "SIZE", ValueType.size(1, 1024 * Units.GIB),
            DEFAULT_SIZE_BYTES, "bytes to send (and get back)"));
    private final Option<Long> chunk = option(Option.value("chunk", "SIZE",
            ValueType.size(1, PingCommand.MAX_PAYLOAD_BYTES), DEFAULT_CHUNK_BYTES, "bytes per round trip (up to 64k)"));
    private final ClientFlags client = new ClientFlags(this);

    public SpeedCommand() {
        super("speed", "measure echo throughput to a server");
        arguments("[HOST]");
    }

    @Override
    public String description() {
        return "Measure how fast data goes to a server and back: sends SIZE bytes as PING payloads of CHUNK bytes, "
                + "which the server echoes, and reports the rate. Shows a progress bar on a terminal. HOST is "
                + "[user@]host[:port], 127.0.0.1:7373 when omitted.";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        Console console = inv.console();
        long total = inv.args().get(size);
        byte[] payload = new byte[(int) Math.min(total, inv.args().get(chunk))];
        new Random(total).nextBytes(payload);
        Connector connector = client.connector(inv);
        try (RemoteClient rc = connector.open(remote, false)) {
            ProgressBar bar = new ProgressBar(console.out(), console.progressBars(), false, console.columns(),
                    System::nanoTime, "echo " + remote.hostPort(), total);
            long t0 = System.nanoTime();
            bar.start(0);
            long done = 0;
            long trips = 0;
            try {
                while (done < total) {
                    byte[] body = total - done >= payload.length ? payload : new byte[(int) (total - done)];
                    PingCommand.once(rc.client(), body);
                    done += body.length;
                    trips++;
                    bar.update(done);
                }
            } catch (IOException e) {
                bar.abort();
                throw new CliException("echo to " + remote.hostPort() + " failed after " + Units.formatSize(done)
                        + ": " + ErrorMessages.describe(e), e);
            }
            long elapsed = System.nanoTime() - t0;
            bar.finish(done, null);
            // The result is this command's output, printed even with --quiet (like ping -q's summary).
            console.out().println(Units.formatSize(done) + " echoed by " + remote.hostPort() + " in "
                    + Units.formatElapsed(elapsed) + ": " + Units.formatRate(done * 1e9 / Math.max(1, elapsed))
                    + " each way (" + trips + " round trips of up to " + Units.formatSize(payload.length)
                    + ", " + PingCommand.ms(elapsed / 1e6 / Math.max(1, trips)) + " ms each)");
        }
        return Command.EXIT_OK;
    }
}
