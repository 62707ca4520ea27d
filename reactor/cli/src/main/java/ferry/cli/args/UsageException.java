package ferry.cli.args;


/**
 * The command line (or a config file) is wrong: unknown option, missing argument, bad value.
 * Reported as one line on stderr; the process exits with {@link Command#EXIT_USAGE}.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
