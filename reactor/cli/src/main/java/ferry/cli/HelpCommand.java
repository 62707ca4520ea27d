package ferry.cli;

import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
/** {@code ferry help [COMMAND...]}: the same as {@code ferry COMMAND --help}. */
public final class HelpCommand extends Command {
    private final Cli cli;

    HelpCommand(Cli cli) {
        super("help", "show help for a command");
        this.cli = cli;
        arguments("[COMMAND...]");
    }

    @Override
    public int run(Invocation inv) throws Exception {
        return cli.help(inv.args().positionals());
    }
}
