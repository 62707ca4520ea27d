package ferry.cli.shell;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.Invocation;
import ferry.cli.args.ParsedArgs;
import ferry.cli.args.UsageException;

/**
 * A command of {@code ferry shell} ({@code ping}, {@code info}, the file commands {@code ls},
 * {@code cd}, {@code get}, {@code put}, ... of {@link ShellFileActions}, {@code exec}). Declared like a {@link Command} — options, arguments, help — and run against the
 * shell's open connection instead of a remote argument.
 *
 * <p>Errors: throw as a command would. {@link CliException}/{@link UsageException} print their
 * message; a {@link ferry.client.RemoteException} (the server said no) keeps the connection; any
 * other IOException counts as a lost connection, which the shell reopens on the next command.
 */
public abstract class ShellAction extends Command {
    protected ShellAction(String name, String summary) {
        super(name, summary);
    }

    /** Runs the action; output to {@code session.out()}. */
    abstract void run(ShellSession session, ParsedArgs args) throws Exception;

    @Override
    public final int run(Invocation inv) {
        throw new UnsupportedOperationException("shell actions run inside ferry shell");
    }
}
