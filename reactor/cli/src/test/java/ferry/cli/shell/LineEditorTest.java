package ferry.cli.shell;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line editor's logic, fed bytes as a terminal in raw mode sends them; no terminal needed. */
public class LineEditorTest {
    static final String UP = "\u001b[A";
    static final String DOWN = "\u001b[B";
    static final String RIGHT = "\u001b[C";
    static final String LEFT = "\u001b[D";
    static final String HOME = "\u001b[H";
    static final String END = "\u001b[F";
    static final String DEL = "\u001b[3~";
    static final String BACKSPACE = "\u007f";

    private final List<String> history = new ArrayList<>();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final RecordingMode mode = new RecordingMode();

    /** Counts switches and checks raw mode is on while the editor reads. */
    static final class RecordingMode implements TerminalMode {
        int raw;
        int restored;

        @Override
        public void enterRaw() {
            raw++;
        }

        @Override
        public void restore() {
            restored++;
        }
    }

    private LineEditor editor(String typed, Completer completer) {
        return new LineEditor(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(screen, true, StandardCharsets.UTF_8), mode, () -> history, completer);
    }

    private String line(String typed) throws IOException {
        return editor(typed, Completer.NONE).readLine("> ");
    }

    private String bytes(int... typed) throws IOException {
        byte[] b = new byte[typed.length];
        for (int i = 0; i < typed.length; i++) {
            b[i] = (byte) typed[i];
        }
        return new LineEditor(new ByteArrayInputStream(b), new PrintStream(screen, true, StandardCharsets.UTF_8), mode,
                () -> history, Completer.NONE).readLine("> ");
    }

    @Test
    void typingAndEnter() throws IOException {
        assertEquals("ping -c 3", line("ping -c 3\r"));
        assertEquals("ping", line("ping\n"), "LF ends a line as CR does");
        assertEquals(2, mode.raw);
        assertEquals(2, mode.restored, "the terminal is restored after each line");
    }

    @Test
    void cursorMovesAndEdits() throws IOException {
        assertEquals("pxing", line("ping" + LEFT + LEFT + LEFT + "x\r"));
        assertEquals("Aping", line("ping" + HOME + "A\r"));
        assertEquals("Aping", line("ping\u0001A\r"), "Ctrl-A is Home");
        assertEquals("pinG", line("pin" + HOME + "\u0005G\r"), "Ctrl-E is End");
        assertEquals("pin", line("ping" + BACKSPACE + "\r"));
        assertEquals("ing", line("ping" + HOME + DEL + "\r"));
        assertEquals("ing", line("ping" + HOME + "\u0004\r"), "Ctrl-D on a line deletes");
        assertEquals("pingx", line("ping" + HOME + END + RIGHT + "x\r"), "Right stops at the end");
        assertEquals("xping", line("ping" + HOME + LEFT + "x\r"), "Left stops at the start");
        assertEquals("ng", line("ping" + LEFT + LEFT + "\u0015\r"), "Ctrl-U kills to the start");
        assertEquals("pi", line("ping" + LEFT + LEFT + "\u000b\r"), "Ctrl-K kills to the end");
        assertEquals("get ", line("get big.mp4\u0017\r"), "Ctrl-W kills the word before");
        assertEquals("get ", line("get big.mp4  \u0017\r"), "spaces and then the word");
        assertEquals("", line("get big.mp4\u0017\u0017\r"));
        assertEquals("pIng", line("ping\u001bOD\u001bOD" + BACKSPACE + "I\r"), "SS3 arrows");
        assertEquals("pin", line("ping\u001b[1~" + "\u001b[4~" + BACKSPACE + "\r"), "Home/End as ESC[1~ ESC[4~");
    }

    @Test
    void redrawsWithPromptClearAndCursorBack() throws IOException {
        line("ab" + LEFT + "\r");
        String s = screen.toString(StandardCharsets.UTF_8);
        assertEquals("> " + "\r> a\u001b[K" + "\r> ab\u001b[K" + "\r> ab\u001b[K\u001b[1D" + "\n", s);
    }

    @Test
    void utf8CharactersAreOneCharacterEach() throws IOException {
        assertEquals("get é漢😀x", line("get é漢😀x\r"));
        assertEquals("get 漢😀", line("get é漢😀" + LEFT + LEFT + BACKSPACE + RIGHT + RIGHT + "\r"),
                "Backspace and arrows move over whole characters, 4-byte ones too");
        assertEquals("ab", bytes('a', 0xc3, 'b', '\r'), "a broken UTF-8 sequence is dropped, the next byte kept");
        assertEquals("ab", bytes('a', 0x80, 0xff, 'b', '\r'), "stray and invalid bytes are dropped");
        assertEquals("ab", bytes('a', 0xed, 0xa0, 0x80, 'b', '\r'), "an encoded surrogate is dropped");
        assertEquals("😀", line("😀😀" + BACKSPACE + "\r"));
    }

    @Test
    void unknownEscapeSequencesAreNeverText() throws IOException {
        assertEquals("ab", line("a\u001b[15~\u001b[2~\u001bOP\u001b[200~\u001bxb\r"), "F5, Insert, F1, paste mark, Alt-x");
        assertEquals("ab", line("a\u001b[<0;12;5Mb\r"), "a mouse report");
        assertEquals("ab", line("a\u001b[" + "9".repeat(100) + "Ab\r"), "an endless parameter list");
        assertEquals("xab", line("ab\u001b[1;5D\u001b[1;5D" + "x\r"), "Ctrl-Left moves like Left");
        assertEquals("ab", line("a\u0007\u0000b\r"), "other control bytes are ignored");
    }

    @Test
    void historyUpAndDown() throws IOException {
        history.addAll(List.of("ping", "info", "ls -l"));
        assertEquals("ls -l", line(UP + "\r"));
        assertEquals("info", line(UP + UP + "\r"));
        assertEquals("ping", line(UP + UP + UP + UP + UP + "\r"), "Up stops at the oldest");
        assertEquals("info", line(UP + UP + UP + DOWN + "\r"));
        assertEquals("half", line("half" + UP + UP + DOWN + DOWN + "\r"), "Down past the newest gives back the typed line");
        assertEquals("info -v", line(UP + UP + " -v\r"), "a recalled line can be edited");
        assertEquals("ls", line("\u0010\u0010\u000e\u0017" + BACKSPACE + "\r"), "Ctrl-P and Ctrl-N");
        assertEquals(List.of("ping", "info", "ls -l"), history, "editing a recalled line leaves the history alone");
    }

    @Test
    void ctrlDOnEmptyLineAndEndOfInputEnd() throws IOException {
        assertNull(line("\u0004"));
        assertNull(line(""));
        assertEquals("partial", line("partial"), "end of input mid-line gives the line");
        assertEquals(2 + 1, mode.restored);
    }

    @Test
    void ctrlCDropsTheLine() throws IOException {
        assertEquals("info", line("rm -r everything\u0003info\r"));
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("^C\n"));
        assertEquals(1, mode.restored);
    }

    @Test
    void tabCompletes() throws IOException {
        Completer fake = before -> {
            int start = ShellCompleter.wordStart(before);
            String w = before.substring(start);
            List<String> out = new ArrayList<>();
            for (String c : List.of("docs/", "video/", "videos/", "vim.txt", "zeta")) {
                if (c.startsWith(w)) {
                    out.add(c);
                }
            }
            return new Completer.Completion(start, out);
        };
        assertEquals("get zeta ", editor("get z\t\r", fake).readLine("> "), "one candidate: completed, then a space");
        assertEquals("get docs/", editor("get d\t\r", fake).readLine("> "), "a folder gets no space");
        assertEquals("get vi", editor("get v\t\r", fake).readLine("> "), "several: their common prefix");
        screen.reset();
        assertEquals("get vi", editor("get vi\t\t\r", fake).readLine("> "));
        String s = screen.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains(LineEditor.BELL + "\r> get vi\u001b[K\nvideo/  videos/  vim.txt\n\r> get vi\u001b[K"),
                "a second Tab lists them and redraws the line: " + s);
        assertEquals("get q", editor("get q\t\r", fake).readLine("> "), "nothing to offer: the line stays");
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("" + LineEditor.BELL));
        assertEquals("get zeta x", editor("get z" + HOME + END + "\tx\r", fake).readLine("> "));
    }

    @Test
    void commonPrefixAndLastName() {
        assertEquals("vi", LineEditor.commonPrefix(List.of("video/", "vim")));
        assertEquals("", LineEditor.commonPrefix(List.of("a", "b")));
        assertEquals("b/", LineEditor.lastName("a/b/"));
        assertEquals("c", LineEditor.lastName("a/c"));
        assertEquals("c", LineEditor.lastName("c"));
    }
}
