package ferry.cli.remote;

import ferry.cli.command.CliException;
import ferry.cli.command.Command;
import ferry.cli.command.ErrorMessages;
import ferry.cli.command.Invocation;
import ferry.cli.args.Option;
import ferry.cli.args.UsageException;
import ferry.cli.args.ValueType;
import ferry.client.DecodingOutputStream;
import ferry.client.ExecClient;
import ferry.client.ExecRequest;
import ferry.client.ExitStatus;
import ferry.client.FerryClient;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code ferry exec HOST -- cmd args...}: runs a command on the server, prints its stdout and
 * stderr to the matching local streams as they arrive, decoded with the user's charset (the
 * remote bytes are never decoded on the server), and returns the remote exit code for the CLI to
 * exit with.
 *
 * <p>When the command could not run, the message goes to {@code err} and the result follows the
 * shell's conventions: {@value #EXIT_NOT_FOUND} for a missing command, {@value #EXIT_REFUSED} when
 * it is not allowed, {@value #EXIT_FERRY_ERROR} (as ssh does) for any other failure of Ferry itself.
 *
 * <p>Options go before HOST ({@code ferry exec --timeout 5s nas ls -l}), or anywhere before a
 * {@code --} ({@code ferry exec nas --timeout 5s -- ls -l}); without a {@code --}, everything
 * after HOST is the remote command, options included. stdin is forwarded only with
 * {@code -i} (read to its end first: the request announces its size), so a {@code ferry exec}
 * inside a {@code while read} loop does not eat the loop's input, the classic ssh surprise.
 *
 * <p>Exit status: the remote command's, or one of this class's codes; a connection or login
 * that fails is {@value #EXIT_FERRY_ERROR} too (as ssh), so it cannot be mistaken for the
 * command's own status 1. Usage errors are 2, before anything runs.
 *
 * <p>Threading: runs on the caller's thread, which owns {@code client} for the duration.
 */
public final class ExecCommand extends Command {
    /** No such command on the server. */
    public static final int EXIT_NOT_FOUND = 127;
    /** The command exists but may not be run (allowlist, rights, shell mode). */
    public static final int EXIT_REFUSED = 126;
    /** Ferry failed (connection, busy server, bad request), so there is no remote exit code. */
    public static final int EXIT_FERRY_ERROR = 255;
    /** No command given. */
    public static final int EXIT_USAGE = 2;

    /** Output is decoded with this unless --charset says otherwise. */
    private static final String PLATFORM = "platform";

    private final Option<Boolean> shellMode = option(Option.flag("shell",
            "send the words as one shell command line (sh -c; the server must allow shell mode)"));
    private final Option<Long> timeout = option(Option.value("timeout", "DURATION",
            ValueType.duration(1, 24L * 3600 * 1000), null, "stop the command after this long (default: the server's)"));
    private final Option<String> charset = option(Option.value("charset", "NAME", ValueType.text(), PLATFORM,
            "decode the command's output with this charset (e.g. UTF-8, GBK)").defaultText(
            Charset.defaultCharset().name() + ", this system's"));
    private final Option<String> cwd = option(Option.value("cwd", "DIR", ValueType.text(), null,
            "run in this folder (on the server, inside your home folder)").shortName('C'));
    private final Option<Boolean> stdin = option(Option.flag("stdin",
            "send this command's stdin to the remote command (read to its end first)").shortName('i'));
    private final Option<List<String>> env = option(Option.each("env", "NAME=VALUE",
            "set this variable for the command (repeatable; the server accepts only names on its --exec-env-allow)")
            .shortName('e'));
    private final ClientFlags client = new ClientFlags(this, false);

    public ExecCommand() {
        super("exec", "run a command on a server");
        arguments("HOST", "COMMAND...");
    }

    @Override
    public String description() {
        return "Run COMMAND with its ARGS on the server HOST ([user@]host[:port]) as an argument list, with no shell in "
                + "between (or one shell command line with --shell). Its stdout and stderr arrive on this command's "
                + "stdout and stderr as they are produced, and ferry exec exits with its exit status. The server must "
                + "allow the command (ferry serve --exec-allow) and the user needs the exec right.\n\n"
                + "Exit status: the command's; 127 when the server has no such command, 126 when it may not be run, "
                + "255 when Ferry failed (cannot connect, login refused, connection lost), 2 for a usage error.";
    }

    @Override
    public String epilog() {
        return "Examples:\n\n"
                + "  ferry exec nas -- df -h\n"
                + "  ferry exec --shell alice@nas -- 'ls /var/log | wc -l'\n"
                + "  ferry exec --timeout 10s --charset GBK nas -- dir\n"
                + "  ferry exec -e LANG=C.UTF-8 nas -- date\n"
                + "  tar c notes | ferry exec -i nas -- tar tv";
    }

    @Override
    public int optionsEndAfter(List<String> args) {
        return args.contains("--") ? -1 : 1; // without --, everything after HOST is the command's
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> pos = inv.args().positionals();
        Remote remote = client.withUser(hostArgument(inv.args(), 0), inv.args());
        List<String> argv = pos.subList(1, pos.size());
        Charset cs;
        String name = inv.args().get(charset);
        try {
            cs = name.equals(PLATFORM) ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown charset '" + name + "' (e.g. UTF-8, GBK, ISO-8859-1)");
        }
        ExecRequest request = inv.args().get(shellMode) ? ExecRequest.shell(String.join(" ", argv))
                : ExecRequest.argv(argv);
        if (inv.args().has(timeout)) {
            request.timeoutMillis(inv.args().get(timeout));
        }
        if (inv.args().has(cwd)) {
            request.cwd(RemotePaths.strip(inv.args().get(cwd)));
        }
        for (String assignment : inv.args().get(env)) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--env takes NAME=VALUE, got '" + assignment + "'");
            }
            request.env(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        Path spool = null;
        try {
            if (inv.args().get(stdin)) {
                spool = Files.createTempFile("ferry-exec-stdin", ".bin");
                long size = Files.copy(inv.console().in(), spool, StandardCopyOption.REPLACE_EXISTING);
                request.stdin(Files.newInputStream(spool), size);
            }
            RemoteClient rc;
            try {
                rc = client.connector(inv).open(remote, true);
            } catch (CliException e) {
                inv.console().err().println(inv.path() + ": " + ErrorMessages.oneLine(e.getMessage()));
                return EXIT_FERRY_ERROR;
            }
            try (rc) {
                return run(rc.client(), request, inv.console().out(), inv.console().err(), cs);
            }
        } finally {
            if (spool != null) {
                Files.deleteIfExists(spool);
            }
        }
    }

    /**
     * Runs {@code argv} on the server behind {@code client}.
     *
     * @param shell send the words joined by spaces as one shell command line (the server must
     *     allow shell mode) instead of an argument vector
     * @param charset how to decode the command's output bytes (usually the platform's, or the
     *     user's {@code --charset})
     * @return the remote exit code, or one of this class's codes when it could not run
     */
    public static int run(FerryClient client, List<String> argv, boolean shell, PrintStream out, PrintStream err,
                          Charset charset) {
        if (argv == null || argv.isEmpty()) {
            err.println("ferry exec: no command given (usage: ferry exec HOST -- COMMAND [ARGS...])");
            return EXIT_USAGE;
        }
        return run(client, shell ? ExecRequest.shell(String.join(" ", argv)) : ExecRequest.argv(argv), out, err, charset);
    }

    /**
     * Runs {@code request} (argument list or shell line, with its time limit, folder and stdin) on
     * the server behind {@code client}; see {@link #run(FerryClient, List, boolean, PrintStream,
     * PrintStream, Charset)}.
     */
    public static int run(FerryClient client, ExecRequest request, PrintStream out, PrintStream err, Charset charset) {
        DecodingOutputStream stdout = new DecodingOutputStream(out, charset);
        DecodingOutputStream stderr = new DecodingOutputStream(err, charset);
        try {
            ExitStatus st;
            try {
                st = new ExecClient(client).run(request, stdout, stderr);
            } finally {
                stdout.close(); // a multi-byte character cut at the very end shows as U+FFFD
                stderr.close();
            }
            if (st.reason() != null) {
                err.println("ferry exec: " + describe(st));
            }
            return st.exitCode() < 0 ? EXIT_FERRY_ERROR : st.exitCode();
        } catch (RemoteException e) {
            err.println("ferry exec: " + ErrorMessages.inUsersWords(e.serverMessage()));
            switch (e.code()) {
                case ErrorCode.NOT_FOUND:
                    return EXIT_NOT_FOUND;
                case ErrorCode.FORBIDDEN:
                case ErrorCode.UNAUTHENTICATED:
                    return EXIT_REFUSED;
                default:
                    return EXIT_FERRY_ERROR;
            }
        } catch (IOException e) {
            err.println("ferry exec: " + e.getMessage());
            return EXIT_FERRY_ERROR;
        }
    }

    private static String describe(ExitStatus st) {
        String what;
        switch (st.reason()) {
            case ExitStatus.TIMEOUT:
                what = "the command ran out of time after " + st.durationMs() + " ms";
                break;
            case ExitStatus.OUTPUT_CAP:
                what = "the command's output passed the server's limit; the rest was not sent";
                break;
            case ExitStatus.CANCELLED:
                what = "the run was cancelled";
                break;
            default:
                what = "the run was stopped (" + st.reason() + ")";
        }
        return what + (st.killed() ? "; it was killed (exit code " + st.exitCode() + ")" : "");
    }
}
