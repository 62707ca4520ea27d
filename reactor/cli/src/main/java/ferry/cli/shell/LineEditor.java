package ferry.cli.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads one line from a terminal in raw mode, with editing: characters (UTF-8) go in at the
 * cursor; Backspace, Delete, Left/Right (Ctrl-B/Ctrl-F), Home/End (Ctrl-A/Ctrl-E), Ctrl-U (kill to
 * the start), Ctrl-K (kill to the end), Ctrl-W (kill the word before), Up/Down (Ctrl-P/Ctrl-N)
 * through the history, Tab completion ({@link Completer}: one candidate completes, several
 * complete their common prefix, a second Tab lists them), Enter, Ctrl-D (end on an empty line,
 * else Delete), Ctrl-C (drop the line, new prompt).
 *
 * <p>After each key it redraws the line: {@code \r}, the prompt, the buffer, {@code ESC[K} (clear
 * to the end of the row), then {@code ESC[nD} to put the cursor back. One column per code point:
 * wide (CJK) characters and lines longer than the terminal are drawn imperfectly, as in other
 * small editors; the line itself is always right.
 *
 * <p>Thread safety: none; the shell's thread. The terminal's mode ({@link TerminalMode}) is raw
 * only inside {@link #readLine}.
 */
final class LineEditor implements ShellInput {
    static final String CLEAR_TO_END = "\u001b[K";
    static final char BELL = '\u0007';
    /** Between the names a second Tab lists. */
    private static final String LIST_SEPARATOR = "  ";

    private final InputStream in;
    private final PrintStream out;
    private final TerminalMode mode;
    private final Supplier<List<String>> history;
    private final Completer completer;

    private final StringBuilder buf = new StringBuilder();
    private int cursor; // a char index into buf, always between code points
    private String prompt = "";
    private List<String> recalled; // the history as it was when the line started
    private int historyIndex; // recalled.size() means the line being typed
    private String typed = ""; // that line, kept while browsing the history
    private boolean lastWasTab;

    /**
     * @param history the commands so far, oldest first (read at the start of each line)
     */
    LineEditor(InputStream in, PrintStream out, TerminalMode mode, Supplier<List<String>> history, Completer completer) {
        this.in = in;
        this.out = out;
        this.mode = mode;
        this.history = history;
        this.completer = completer;
    }

    /** The line typed (without its end), or null at Ctrl-D on an empty line or end of input. */
    @Override
    public String readLine(String prompt) throws IOException {
        this.prompt = prompt;
        buf.setLength(0);
        cursor = 0;
        recalled = List.copyOf(history.get());
        historyIndex = recalled.size();
        typed = "";
        lastWasTab = false;
        mode.enterRaw();
        try {
            out.print(prompt);
            out.flush();
            return edit();
        } finally {
            mode.restore();
        }
    }

    private String edit() throws IOException {
        KeyDecoder decoder = new KeyDecoder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (buf.length() == 0) {
                    return null;
                }
                out.print("\n");
                return buf.toString();
            }
            KeyDecoder.Key key = decoder.feed(b);
            if (key == null) {
                continue;
            }
            boolean tab = key.type() == KeyDecoder.Type.TAB;
            if (key.type() == KeyDecoder.Type.ENTER) {
                out.print("\n");
                out.flush();
                return buf.toString();
            }
            if (key.type() == KeyDecoder.Type.EOF_OR_DELETE && buf.length() == 0) {
                return null;
            }
            apply(key);
            lastWasTab = tab;
            out.flush();
        }
    }

    /** One key's effect on the line and the screen. */
    private void apply(KeyDecoder.Key key) {
        switch (key.type()) {
            case CHAR:
                buf.insert(cursor, Character.toChars(key.codePoint()));
                cursor += Character.charCount(key.codePoint());
                break;
            case BACKSPACE:
                if (cursor > 0) {
                    int from = cursor - Character.charCount(buf.codePointBefore(cursor));
                    buf.delete(from, cursor);
                    cursor = from;
                }
                break;
            case DELETE:
            case EOF_OR_DELETE:
                if (cursor < buf.length()) {
                    buf.delete(cursor, cursor + Character.charCount(buf.codePointAt(cursor)));
                }
                break;
            case LEFT:
                cursor -= cursor > 0 ? Character.charCount(buf.codePointBefore(cursor)) : 0;
                break;
            case RIGHT:
                cursor += cursor < buf.length() ? Character.charCount(buf.codePointAt(cursor)) : 0;
                break;
            case HOME: cursor = 0; break;
            case END: cursor = buf.length(); break;
            case KILL_BEFORE:
                buf.delete(0, cursor);
                cursor = 0;
                break;
            case KILL_AFTER: buf.setLength(cursor); break;
            case KILL_WORD: killWord(); break;
            case UP: recall(historyIndex - 1); break;
            case DOWN: recall(historyIndex + 1); break;
            case TAB: complete(); break;
            case INTERRUPT:
                out.print("^C\n");
                buf.setLength(0);
                cursor = 0;
                historyIndex = recalled.size();
                break;
            default:
                return; // ENTER is handled by the loop
        }
        redraw();
    }

    /** Ctrl-W: the spaces before the cursor, then the word before them. */
    private void killWord() {
        int from = cursor;
        while (from > 0 && buf.charAt(from - 1) == ' ') {
            from--;
        }
        while (from > 0 && buf.charAt(from - 1) != ' ') {
            from--;
        }
        buf.delete(from, cursor);
        cursor = from;
    }

    /** Shows history entry {@code index}; {@code recalled.size()} is the line being typed. */
    private void recall(int index) {
        if (index < 0 || index > recalled.size()) {
            out.print(BELL);
            return;
        }
        if (historyIndex == recalled.size()) {
            typed = buf.toString();
        }
        historyIndex = index;
        buf.setLength(0);
        buf.append(index == recalled.size() ? typed : recalled.get(index));
        cursor = buf.length();
    }

    private void complete() {
        String before = buf.substring(0, cursor);
        Completer.Completion c = completer.complete(before);
        List<String> all = c.candidates();
        if (all.isEmpty()) {
            out.print(BELL);
            return;
        }
        String word = before.substring(c.start());
        String common = all.size() == 1 ? all.get(0) : commonPrefix(all);
        if (all.size() == 1 && !common.endsWith("/")) {
            common += " ";
        }
        if (common.length() > word.length() && common.startsWith(word)) {
            buf.replace(c.start(), cursor, common);
            cursor = c.start() + common.length();
        } else if (all.size() > 1 && lastWasTab) {
            out.print("\n");
            StringBuilder names = new StringBuilder();
            for (String s : all) {
                names.append(names.length() > 0 ? LIST_SEPARATOR : "").append(lastName(s));
            }
            out.print(names + "\n");
        } else {
            out.print(BELL);
        }
    }

    /** {@code a/b/} → {@code b/}, {@code a/c} → {@code c}: what a listing of one folder shows. */
    static String lastName(String path) {
        int end = path.endsWith("/") ? path.length() - 1 : path.length();
        return path.substring(path.lastIndexOf('/', end - 1) + 1);
    }

    static String commonPrefix(List<String> words) {
        String p = words.get(0);
        for (String w : words) {
            int n = 0;
            while (n < p.length() && n < w.length() && p.charAt(n) == w.charAt(n)) {
                n++;
            }
            p = p.substring(0, n);
        }
        if (!p.isEmpty() && Character.isHighSurrogate(p.charAt(p.length() - 1))) {
            p = p.substring(0, p.length() - 1); // never half a character
        }
        return p;
    }

    private void redraw() {
        out.print("\r" + prompt + buf + CLEAR_TO_END);
        int back = buf.codePointCount(cursor, buf.length());
        if (back > 0) {
            out.print("\u001b[" + back + "D");
        }
    }
}
