package ferry.cli.remote;

import ferry.cli.command.Command;
import ferry.cli.command.Console;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.ValueType;
import ferry.client.AdminClient;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * {@code ferry top HOST}: the server's connections, busiest first, refreshed every
 * {@code --interval} like top(1): two WHO samples give each connection's bytes per second.
 * On a terminal the screen is redrawn until q or Ctrl-C; off one (a pipe, a file) it takes two
 * samples an interval apart, prints the table once and exits. Needs the admin right.
 *
 * <p>Thread safety: one run at a time, on the calling thread (and {@link TopKeys}' reader).
 */
public final class TopCommand extends Command {
    static final long DEFAULT_INTERVAL_MILLIS = 2000;
    static final long MIN_INTERVAL_MILLIS = 100;
    static final long MAX_INTERVAL_MILLIS = 3_600_000;
    /** Home the cursor and clear the screen (ANSI): each refresh draws a whole screen. */
    static final String CLEAR_SCREEN = "\033[H\033[2J";
    /** Lines above the table: the summary and a blank line. */
    private static final int HEADER_LINES = 3;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Option<Long> interval = option(Option.value("interval", "DURATION",
            ValueType.duration(MIN_INTERVAL_MILLIS, MAX_INTERVAL_MILLIS), DEFAULT_INTERVAL_MILLIS,
            "time between refreshes (and between the two samples printed off a terminal)").shortName('d'));
    private final ClientFlags client = new ClientFlags(this);

    public TopCommand() {
        super("top", "watch a server's connections, busiest first (needs the admin right)");
        arguments("HOST");
    }

    @Override
    public String description() {
        return "Show the live connections of the server at HOST ([user@]host[:port]), sorted by bytes per second "
                + "(in and out) over the last interval, refreshed like top(1); q or Ctrl-C ends. When stdout is not a "
                + "terminal, prints the table once after one interval. Logs in; the user needs the admin right.";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        Console console = inv.console();
        long pause = inv.args().get(interval);
        boolean screen = console.stdoutIsTerminal();
        try (RemoteClient rc = AdminCalls.open(client.connector(inv), remote)) {
            AdminClient.Who before = AdminCalls.call(rc, AdminClient::who);
            if (!screen) {
                Thread.sleep(pause); // the rate needs two samples an interval apart
                draw(console.out(), rc, before, AdminCalls.call(rc, AdminClient::who), Integer.MAX_VALUE);
                return Command.EXIT_OK;
            }
            try (TopKeys keys = new TopKeys(console.in(), console.stdinIsTerminal())) {
                AdminClient.Who now = before;
                do {
                    console.out().print(CLEAR_SCREEN);
                    draw(console.out(), rc, before, now, rows(console));
                    console.out().flush();
                    if (keys.awaitQuit(pause)) {
                        break;
                    }
                    before = now;
                    now = AdminCalls.call(rc, AdminClient::who);
                } while (true);
            }
        }
        return Command.EXIT_OK;
    }

    /** One screen: a summary line, then at most {@code maxRows} connections, busiest first. */
    static void draw(PrintStream out, RemoteClient rc, AdminClient.Who before, AdminClient.Who now, int maxRows) {
        Map<Long, Double> rates = ConnectionTable.rates(before.connections(), now.connections());
        double total = 0;
        for (double r : rates.values()) {
            total += r;
        }
        List<AdminClient.LiveConnection> sorted = ConnectionTable.byRate(now.connections(), rates);
        out.println("ferry top - " + rc.remote().hostPort() + " (" + rc.serverDescription() + ") "
                + LocalTime.now().format(CLOCK) + " - " + now.total() + " connections, " + Units.formatRate(total)
                + (sorted.size() > maxRows ? " - showing " + maxRows : ""));
        out.println();
        ConnectionTable.print(out, sorted.subList(0, Math.min(maxRows, sorted.size())), rates);
    }

    /** Table rows that fit the terminal ({@code LINES}, else 24). */
    private static int rows(Console console) {
        int lines = 24;
        String l = console.env("LINES");
        if (l != null && l.trim().matches("[0-9]{1,5}")) {
            lines = Integer.parseInt(l.trim());
        }
        return Math.max(1, lines - HEADER_LINES - 1);
    }
}
