package ferry.client;

import ferry.protocol.ExecProtocol;
/**
 * How a remote command ended: the {@code EXIT} frame of an {@code EXEC} request.
 *
 * @param exitCode the process's exit status (128 + signal number when a signal ended it, as in a
 *     shell; -1 when the server could not learn it)
 * @param durationMs from the server accepting the request to the end of the run
 * @param killed whether the server had to signal the command: it was still running when the run
 *     was stopped (timeout, output cap, cancel)
 * @param reason null when the command ran to its end, else why the run was stopped or its output
 *     cut: {@value #TIMEOUT}, {@value #OUTPUT_CAP} or {@value #CANCELLED}
 */
public record ExitStatus(int exitCode, long durationMs, boolean killed, String reason) {
    public static final String TIMEOUT = ExecProtocol.REASON_TIMEOUT;
    public static final String OUTPUT_CAP = ExecProtocol.REASON_OUTPUT_CAP;
    public static final String CANCELLED = ExecProtocol.REASON_CANCELLED;

    /** Exit code 0 and nothing stopped or cut. */
    public boolean success() {
        return exitCode == 0 && reason == null;
    }
}
