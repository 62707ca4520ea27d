package ferry.cli;

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
 * <p>Threading: runs on the caller's thread, which owns {@code client} for the duration.
 */
public final class ExecCommand {
    /** No such command on the server. */
    public static final int EXIT_NOT_FOUND = 127;
    /** The command exists but may not be run (allowlist, rights, shell mode). */
    public static final int EXIT_REFUSED = 126;
    /** Ferry failed (connection, busy server, bad request), so there is no remote exit code. */
    public static final int EXIT_FERRY_ERROR = 255;
    /** No command given. */
    public static final int EXIT_USAGE = 2;

    private ExecCommand() {}

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
        ExecRequest request = shell ? ExecRequest.shell(String.join(" ", argv)) : ExecRequest.argv(argv);
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
            err.println("ferry exec: " + e.serverMessage());
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
