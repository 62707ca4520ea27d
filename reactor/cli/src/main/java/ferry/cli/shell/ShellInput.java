package ferry.cli.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Where the shell's lines come from: the {@link LineEditor} on a terminal, plain lines
 * ({@link #plain}) from a pipe or a file.
 *
 * <p>Thread safety: none; the shell's thread.
 */
interface ShellInput {
    /** The next line, after showing {@code prompt} (null: none); null at the end of input. */
    String readLine(String prompt) throws IOException;

    /** Lines as {@link BufferedReader#readLine} reads them, the prompt printed as is. */
    static ShellInput plain(BufferedReader in, PrintStream out) {
        return prompt -> {
            if (prompt != null) {
                out.print(prompt);
                out.flush();
            }
            return in.readLine();
        };
    }
}
