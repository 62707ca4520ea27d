package ferry.cli;

/** {@code ferry help [COMMAND...]}: the same as {@code ferry COMMAND --help}. */
final class HelpCommand extends Command {
    HelpCommand() {
        super("help", "show help for a command");
        arguments("[COMMAND...]");
    }

    @Override
    int run(Invocation inv) throws Exception {
        return inv.cli().help(inv.args().positionals());
    }
}
