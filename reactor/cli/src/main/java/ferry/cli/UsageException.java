package ferry.cli;

/**
 * The command line (or a config file) is wrong: unknown option, missing argument, bad value.
 * Reported as one line on stderr; the process exits with {@link Cli#EXIT_USAGE}.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
