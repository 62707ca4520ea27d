package ferry.multihost;

/**
 * What a command run inside a container gave back.
 *
 * @param exitCode the process's exit status
 * @param stdout   its standard output, decoded as UTF-8
 * @param stderr   its standard error, decoded as UTF-8
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** Standard output without the trailing newline, for one-line answers. */
    public String line() {
        return stdout.strip();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + (stdout.isEmpty() ? "" : "\n--- stdout\n" + stdout)
                + (stderr.isEmpty() ? "" : "\n--- stderr\n" + stderr);
    }
}
