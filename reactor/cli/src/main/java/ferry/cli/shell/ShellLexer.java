package ferry.cli.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell line into words the way sh does for the simple cases: spaces separate words;
 * 'single quotes' keep everything literally; "double quotes" keep spaces and allow \" and \\;
 * a backslash outside quotes escapes the next character. So file names with spaces work:
 * {@code get "my video.mp4"} or {@code get my\ video.mp4}. No variables, globs or pipes.
 *
 * <p>Thread safety: stateless.
 */
public final class ShellLexer {
    private ShellLexer() {}

    /** The words of {@code line}; IllegalArgumentException for an unterminated quote. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated ' quote");
                }
                w.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("unterminated \" quote");
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                        d = line.charAt(++i);
                    }
                    w.append(d);
                    i++;
                }
                inWord = true;
                i++;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                w.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
