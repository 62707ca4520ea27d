package ferry.cli.demo;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.Units;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;

/**
 * {@code ferry demo}: demonstrations for newcomers. {@code ferry demo sticky} shows the
 * sticky-packet effect and Ferry's framing ({@link StickyDemo}).
 */
public final class DemoCommand extends Command {
    public DemoCommand() {
        super("demo", "demonstrations (start with: ferry demo sticky)");
        subcommand(new Sticky());
    }

    /** {@code ferry demo sticky}. */
    static final class Sticky extends Command {
        private final Option<Long> size = option(Option.value("size", "SIZE", ValueType.size(2048, 64 * Units.MIB),
                (long) StickyDemo.DEFAULT_MESSAGE_BYTES, "size of the big message"));
        private final Option<Long> read = option(Option.value("read", "SIZE", ValueType.size(16, Units.MIB),
                (long) StickyDemo.DEFAULT_READ_BYTES, "bytes the receiver asks for per recv()"));

        Sticky() {
            super("sticky", "see TCP glue and cut messages, and Ferry's frames keep them whole");
            arguments();
        }

        @Override
        public String description() {
            return "Shows, over real TCP sockets on 127.0.0.1, the \"sticky packets\" effect of naive socket code: two "
                    + "small sends read back glued together by one recv(1024); a big message, and one the sender "
                    + "splits, read back cut in pieces; then the same messages through Ferry's framing (preamble, "
                    + "length, JSON header, body), read back intact one by one. Needs no server.";
        }

        @Override
        public int run(Invocation inv) throws Exception {
            long r = inv.args().get(read);
            long s = inv.args().get(size);
            if (s <= r) {
                throw new UsageException("--size (" + s + ") must be larger than --read (" + r + ") to show a cut");
            }
            new StickyDemo(inv.console().out(), (int) s, (int) r).run();
            return Command.EXIT_OK;
        }
    }
}
