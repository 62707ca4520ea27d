package ferry.cli.shell;

import java.io.IOException;

/**
 * Switches the terminal between the mode the line editor reads in (raw: no echo, no line
 * buffering, Ctrl-C as a byte) and the mode it was in before. Behind an interface so the editor's
 * logic is tested without a terminal.
 *
 * <p>Thread safety: implementations allow {@link #restore} from a shutdown hook while the
 * shell's thread reads.
 */
interface TerminalMode {
    /** Raw mode, for reading one line. */
    void enterRaw() throws IOException;

    /** Back to the saved mode; does nothing when not raw. Never throws. */
    void restore();

    /** For tests and a terminal that needs no switching. */
    TerminalMode NONE = new TerminalMode() {
        @Override
        public void enterRaw() {}

        @Override
        public void restore() {}
    };
}
