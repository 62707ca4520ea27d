package ferry.cli.shell;

/**
 * Turns the bytes a terminal sends in raw mode into keys: UTF-8 characters, control keys, and
 * the escape sequences of arrows, Home, End and Delete in both their CSI ({@code ESC [ A},
 * {@code ESC [ 3 ~}) and SS3 ({@code ESC O A}) forms. A sequence it does not know (F-keys,
 * Alt-letters, mouse reports) is swallowed whole, never handed on as text.
 *
 * <p>One state machine: {@link State} names where in a sequence the last byte left it, and
 * {@link #feed} is one switch over it.
 *
 * <p>Thread safety: none; one decoder per reader.
 */
final class KeyDecoder {
    /** What a key does; {@link #CHAR} carries a code point. */
    enum Type {
        CHAR, ENTER, TAB, BACKSPACE, DELETE, LEFT, RIGHT, HOME, END, UP, DOWN,
        KILL_BEFORE, KILL_AFTER, KILL_WORD, INTERRUPT, EOF_OR_DELETE
    }

    /** A decoded key; {@code codePoint} is meaningful for {@link Type#CHAR} only. */
    record Key(Type type, int codePoint) {
        static Key of(Type t) {
            return new Key(t, 0);
        }
    }

    private enum State { GROUND, ESC, CSI, SS3, UTF8 }

    static final int ESC = 0x1b;
    /** Longest CSI parameter string kept; longer ones are garbage and only their end is awaited. */
    private static final int MAX_CSI_PARAMS = 16;

    private State state = State.GROUND;
    private final StringBuilder params = new StringBuilder();
    private int codePoint;
    private int continuationBytesLeft;

    /** Feeds one byte (0..255); the key it completes, or null while a sequence is still open. */
    Key feed(int b) {
        switch (state) {
            case GROUND:
                return ground(b);
            case ESC:
                if (b == '[') {
                    params.setLength(0);
                    state = State.CSI;
                } else if (b == 'O') {
                    state = State.SS3;
                } else if (b != ESC) {
                    state = State.GROUND; // Alt-letter and the like: ignored
                }
                return null;
            case CSI:
                if (b >= 0x30 && b <= 0x3f) { // parameter bytes
                    if (params.length() < MAX_CSI_PARAMS) {
                        params.append((char) b);
                    }
                    return null;
                }
                if (b >= 0x20 && b <= 0x2f) { // intermediate bytes
                    return null;
                }
                state = State.GROUND;
                return b >= 0x40 && b <= 0x7e ? csiFinal((char) b, params.toString()) : null;
            case SS3:
                state = State.GROUND;
                return arrowOrHomeEnd((char) b);
            case UTF8:
                if ((b & 0xc0) != 0x80) { // not a continuation: drop the broken character, start over
                    state = State.GROUND;
                    return ground(b);
                }
                codePoint = (codePoint << 6) | (b & 0x3f);
                if (--continuationBytesLeft > 0) {
                    return null;
                }
                state = State.GROUND;
                return validCodePoint(codePoint) ? new Key(Type.CHAR, codePoint) : null;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    /** Not ASCII (that has one byte), not a surrogate, in Unicode's range: drops what no encoder writes. */
    private static boolean validCodePoint(int cp) {
        return cp >= 0x80 && cp <= Character.MAX_CODE_POINT && (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
    }

    private Key ground(int b) {
        if (b >= 0x20 && b < 0x7f) {
            return new Key(Type.CHAR, b);
        }
        if (b >= 0xc2 && b <= 0xf4) { // a UTF-8 lead byte
            continuationBytesLeft = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
            codePoint = b & (0x3f >> continuationBytesLeft);
            state = State.UTF8;
            return null;
        }
        switch (b) {
            case ESC: state = State.ESC; return null;
            case '\r': case '\n': return Key.of(Type.ENTER);
            case '\t': return Key.of(Type.TAB);
            case 0x7f: case 0x08: return Key.of(Type.BACKSPACE); // DEL (most terminals) and Ctrl-H
            case 0x01: return Key.of(Type.HOME);         // Ctrl-A
            case 0x05: return Key.of(Type.END);          // Ctrl-E
            case 0x02: return Key.of(Type.LEFT);         // Ctrl-B
            case 0x06: return Key.of(Type.RIGHT);        // Ctrl-F
            case 0x10: return Key.of(Type.UP);           // Ctrl-P
            case 0x0e: return Key.of(Type.DOWN);         // Ctrl-N
            case 0x15: return Key.of(Type.KILL_BEFORE);  // Ctrl-U
            case 0x0b: return Key.of(Type.KILL_AFTER);   // Ctrl-K
            case 0x17: return Key.of(Type.KILL_WORD);    // Ctrl-W
            case 0x03: return Key.of(Type.INTERRUPT);    // Ctrl-C
            case 0x04: return Key.of(Type.EOF_OR_DELETE); // Ctrl-D
            default: return null; // other control bytes and stray continuation bytes
        }
    }

    private static Key csiFinal(char fin, String p) {
        if (fin == '~') {
            switch (p) {
                case "1": case "7": return Key.of(Type.HOME);
                case "4": case "8": return Key.of(Type.END);
                case "3": return Key.of(Type.DELETE);
                default: return null; // Insert, PageUp/Down, F-keys
            }
        }
        // ESC [ 1 ; 5 C (Ctrl-Right) and friends: treat modified arrows as plain ones
        return p.isEmpty() || p.startsWith("1;") ? arrowOrHomeEnd(fin) : null;
    }

    private static Key arrowOrHomeEnd(char fin) {
        switch (fin) {
            case 'A': return Key.of(Type.UP);
            case 'B': return Key.of(Type.DOWN);
            case 'C': return Key.of(Type.RIGHT);
            case 'D': return Key.of(Type.LEFT);
            case 'H': return Key.of(Type.HOME);
            case 'F': return Key.of(Type.END);
            default: return null;
        }
    }
}
