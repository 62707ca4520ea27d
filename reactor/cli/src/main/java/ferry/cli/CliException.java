package ferry.cli;

/**
 * A command failed at run time for a reason the user can act on (cannot connect, file missing,
 * server refused). The message is complete and one line; the process exits with
 * {@link Cli#EXIT_FAILURE}.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
