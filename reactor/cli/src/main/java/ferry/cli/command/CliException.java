package ferry.cli.command;

/**
 * A command failed at run time for a reason the user can act on (cannot connect, file missing,
 * server refused). The message is complete and one line; the process exits with
 * {@link Command#EXIT_FAILURE}.
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
