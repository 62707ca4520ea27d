package ferry.cli.command;

import ferry.cli.args.Units;
import ferry.cli.args.UsageException;
import ferry.client.RemoteException;
import ferry.protocol.ErrorCode;
import ferry.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an exception into the one line a user reads after {@code ferry CMD: }: what went wrong,
 * in words, without Java class names where a plain phrase exists ("connection refused", "no such
 * file: x"). Anything unexpected (a bug) says so and points at {@code --debug}.
 *
 * <p>Thread safety: stateless.
 */
public final class ErrorMessages {
    private ErrorMessages() {}

    public static String describe(Throwable e) {
        if (e instanceof CliException || e instanceof UsageException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof RemoteException r) {
            return oneLine(remote(r));
        }
        if (e instanceof ProtocolException) {
            return oneLine("protocol error: " + e.getMessage());
        }
        return oneLine(reason(e));
    }

    /**
     * What the server refused, for a person: its own message (which names the path), with what
     * to do where the code says more than the message: {@code no such file or folder: a.mp4},
     * {@code permission denied: user bob lacks the write right}, {@code login required: log in
     * first (name a user: USER@HOST or --user USER)}; other codes follow in parentheses.
     */
    public static String remote(RemoteException r) {
        String m = inUsersWords(r.serverMessage());
        return switch (r.code()) {
            case ErrorCode.NOT_FOUND, ErrorCode.EXISTS -> m;
            case ErrorCode.FORBIDDEN -> "permission denied: " + m;
            case ErrorCode.UNAUTHENTICATED -> "login required: " + m + " (name a user: USER@HOST or --user USER)";
            case ErrorCode.BUSY -> "server busy: " + m + " (try again later)";
            default -> m + " (" + r.code() + ")";
        };
    }

    /** {@code "timeoutMs" 7200000 exceeds this server's limit of 3600000 ms}. */
    private static final Pattern TIMEOUT_LIMIT =
            Pattern.compile("\"timeoutMs\" (\\d+) exceeds this server's limit of (\\d+) ms");

    /**
     * A server's message with the protocol's words (header fields other clients send) replaced
     * by what a user of this command types: {@code ("parents": true creates it too)} becomes
     * {@code (mkdir -p creates it too)}. The server's wording stays as it is: it speaks to every
     * client, in the protocol's terms.
     */
    public static String inUsersWords(String serverMessage) {
        if (serverMessage == null) {
            return null;
        }
        String m = serverMessage
                .replace("(\"parents\": true creates it too)", "(mkdir -p creates it too)")
                .replace("send \"argv\" as an array of words", "run the command without --shell")
                .replace("\"cwd\"", "the folder (-C)");
        Matcher t = TIMEOUT_LIMIT.matcher(m);
        if (t.find()) {
            m = t.replaceFirst("--timeout " + Units.formatDurationSetting(Long.parseLong(t.group(1)))
                    + " exceeds this server's limit of " + Units.formatDurationSetting(Long.parseLong(t.group(2))));
        }
        return m;
    }

    /**
     * The reason part of a network or file error, lower-case and short: {@code connection
     * refused}, {@code timed out after 10 s}, {@code no such file: /x}. For use after a context
     * such as "cannot connect to HOST:PORT: ".
     */
    public static String reason(Throwable e) {
        String m = e.getMessage();
        if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
            return "unknown host" + (m == null || m.isEmpty() ? "" : " '" + m.replaceFirst(":.*", "") + "'");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return m == null ? "connection failed" : lowerFirst(m.replaceFirst(" \\(.*\\)$", ""));
        }
        if (e instanceof SocketTimeoutException) {
            return m == null ? "timed out" : m;
        }
        if (e instanceof EOFException) {
            return m == null ? "connection closed unexpectedly" : m;
        }
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "folder not empty: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? "file system error" : lowerFirst(f.getReason()));
        }
        if (e instanceof IOException) {
            return m == null || m.isEmpty() ? "I/O error (" + e.getClass().getSimpleName() + ")" : lowerFirst(m);
        }
        return "internal error: " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m)
                + " (run with --debug for the stack trace)";
    }

    /** Newlines and tabs become spaces: an error is one line. */
    public static String oneLine(String s) {
        if (s == null) {
            return "error";
        }
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
        }
        return s;
    }
}
