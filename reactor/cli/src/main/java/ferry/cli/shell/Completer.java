package ferry.cli.shell;

import java.util.List;

/**
 * What Tab offers: the words that could replace the end of the line before the cursor.
 *
 * <p>Thread safety: called on the shell's thread, between keys.
 */
interface Completer {
    /**
     * Candidates for the line up to the cursor.
     *
     * @param start      where the word being completed starts in {@code beforeCursor}
     * @param candidates replacements for {@code beforeCursor.substring(start)}, sorted, quoted as
     *                   the shell's lexer reads them; a folder ends with {@code /}
     */
    record Completion(int start, List<String> candidates) {
        static Completion none(String beforeCursor) {
            return new Completion(beforeCursor.length(), List.of());
        }
    }

    Completion complete(String beforeCursor);

    /** Offers nothing. */
    Completer NONE = Completion::none;
}
