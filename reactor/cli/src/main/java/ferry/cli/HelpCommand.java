package ferry.cli;

/** {@code ferry help [COMMAND...]}: the same as {@code ferry COMMAND --help}. */
public final class HelpCommand extends Command {
    HelpCommand() {
        super("help", "show help for a command");
        arguments("[COMMAND...]");
    }

    @Override
    public int run(Invocation inv) throws Exception {
        return inv.cli().help(inv.args().positionals());
    }
}
