package ferry.cli.shell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The shell's command history for one session, numbered from 1 as {@code history} shows it,
 * with csh/bash-style recall: {@code !N} (command number N), {@code !-N} (N commands back),
 * {@code !!} (the last one).
 *
 * <p>Thread safety: none; the shell's thread only.
 */
public final class ShellHistory {
    /** Oldest entries are dropped past this; a session of this many commands is already long. */
    static final int MAX_ENTRIES = 1000;

    private final List<String> entries = new ArrayList<>();
    private int dropped;

    /** Adds a command, unless it repeats the one before (Up would show it twice). */
    void add(String line) {
        if (!entries.isEmpty() && entries.get(entries.size() - 1).equals(line)) {
            return;
        }
        entries.add(line);
        if (entries.size() > MAX_ENTRIES) {
            entries.remove(0);
            dropped++;
        }
    }

    /** Entries with their numbers: number of entry {@code i} is {@code firstNumber() + i}. */
    List<String> entries() {
        return Collections.unmodifiableList(entries);
    }

    int firstNumber() {
        return dropped + 1;
    }

    /** Whether {@code line} is a history reference ({@code !...}). */
    static boolean isReference(String line) {
        return line.startsWith("!");
    }

    /** The command a {@code !} reference names; IllegalArgumentException with a clear message otherwise. */
    String expand(String line) {
        String ref = line.strip();
        String spec = ref.substring(1);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(ref + ": the history is empty");
        }
        int index;
        if (spec.equals("!")) {
            index = entries.size() - 1;
        } else {
            int n;
            try {
                n = Integer.parseInt(spec);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ref + ": use !N, !-N or !! (see 'history')");
            }
            index = n < 0 ? entries.size() + n : n - firstNumber();
        }
        if (index < 0 || index >= entries.size()) {
            throw new IllegalArgumentException(ref + ": no such command in the history (see 'history')");
        }
        return entries.get(index);
    }
}
