package ferry.cli.remote;

import ferry.cli.args.UsageException;

/**
 * Reads the remote arguments of the file commands, with errors that say what to write instead.
 *
 * <p>Thread safety: stateless.
 */
public final class RemoteArgs {
    private RemoteArgs() {}

    /**
     * A file remote ({@code [user@]host[:port]:path}, {@code ferry://...}) where one is required:
     * a local path is a usage error naming {@code hint} (what to run instead).
     */
    public static Remote file(String text, String hint) throws UsageException {
        if (!Remote.isRemote(text)) {
            throw new UsageException("'" + text + "' is a local path, not a remote ([user@]host[:port]:/path)"
                    + (hint == null ? "" : "; " + hint));
        }
        try {
            return Remote.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Where the commands that only work on a server ({@code ls}, {@code stat}, {@code rm},
     * {@code mkdir}) are pointed: a file remote, or a server alone ({@code nas},
     * {@code alice@nas:7373}) meaning its root. As for {@code ferry ping}, digits alone after the
     * host are the port ({@code nas:7373} is the root of nas:7373; a file named by digits is
     * {@code nas:/2024}). A path without a server ({@code /video}) is refused with the way to
     * write it ({@code :/video} for 127.0.0.1).
     */
    static Remote onServer(String text) throws UsageException {
        if (!text.startsWith(Remote.SCHEME) && (text.startsWith("/") || text.startsWith(".")
                || (!Remote.isRemote(text) && text.indexOf('/') >= 0))) {
            throw new UsageException("'" + text + "' names no server: write HOST:" + text + " (or :" + text
                    + " for 127.0.0.1)");
        }
        try {
            Remote r = Remote.parseHost(text);
            return r.path() == null ? r.withPath("") : r;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
