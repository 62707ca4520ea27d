package ferry.protocol.scram;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * SASLprep (RFC 4013), the stringprep profile SCRAM applies to passwords before hashing, so that
 * the same password typed on two keyboards (a no-break space, a composed or decomposed accent)
 * gives the same key.
 *
 * <p>What is implemented: mapping of the "commonly mapped to nothing" characters (RFC 3454 table
 * B.1) to nothing and of non-ASCII spaces (C.1.2) to U+0020; NFKC normalisation
 * ({@link java.text.Normalizer}); rejection of the prohibited characters (C.1.2 to C.9: control
 * characters, private use, non-characters, surrogates, display-changing and tagging
 * characters); the bidirectional rule of RFC 3454 section 6. What is not: the check for code
 * points unassigned in Unicode 3.2 (table A.1). The JDK's NFKC follows a newer Unicode version than
 * 3.2, which only matters for characters assigned since, and then equally on client and server.
 *
 * <p>Printable ASCII passwords come back unchanged without allocating a String, so the common case
 * never leaves an immutable copy of the password on the heap.
 *
 * <p>Thread safety: stateless.
 */
public final class SaslPrep {
    private SaslPrep() {}

    /**
     * Prepares a password. Returns a new array (the caller should zero both when done).
     *
     * @throws IllegalArgumentException if the result is empty or contains a prohibited character;
     *     the message names the position and kind, never the password
     */
    public static char[] prepare(char[] password) {
        boolean ascii = true;
        for (char c : password) {
            if (c >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            for (int i = 0; i < password.length; i++) {
                if (password[i] < 0x20 || password[i] == 0x7F) {
                    throw new IllegalArgumentException("password has a control character at position " + (i + 1));
                }
            }
            if (password.length == 0) {
                throw new IllegalArgumentException("password is empty");
            }
            return password.clone();
        }
        StringBuilder mapped = new StringBuilder(password.length);
        for (int i = 0; i < password.length; ) {
            int cp = Character.codePointAt(password, i);
            i += Character.charCount(cp);
            if (mappedToNothing(cp)) {
                continue;
            }
            mapped.appendCodePoint(nonAsciiSpace(cp) ? ' ' : cp);
        }
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        mapped.setLength(0);
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("password is empty after SASLprep normalisation");
        }
        boolean hasRandAL = false;
        boolean hasL = false;
        int position = 0;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            position++;
            String why = prohibited(cp);
            if (why != null) {
                throw new IllegalArgumentException("password has a prohibited " + why + " at position " + position
                        + " (SASLprep, RFC 4013)");
            }
            byte dir = Character.getDirectionality(cp);
            if (dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC) {
                hasRandAL = true;
            } else if (dir == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
                hasL = true;
            }
        }
        if (hasRandAL) {
            int first = normalized.codePointAt(0);
            int last = normalized.codePointBefore(normalized.length());
            if (hasL || !isRandAL(first) || !isRandAL(last)) {
                throw new IllegalArgumentException("password mixes right-to-left and left-to-right text in a way"
                        + " SASLprep forbids (RFC 3454 section 6)");
            }
        }
        char[] out = normalized.toCharArray();
        return out;
    }

    /** Convenience for tests and non-secret strings. */
    public static String prepare(String s) {
        char[] in = s.toCharArray();
        char[] out = prepare(in);
        String r = new String(out);
        Arrays.fill(in, '\0');
        Arrays.fill(out, '\0');
        return r;
    }

    private static boolean isRandAL(int cp) {
        byte dir = Character.getDirectionality(cp);
        return dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    /** RFC 3454 table B.1. */
    static boolean mappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
    }

    /** RFC 3454 table C.1.2. */
    static boolean nonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Which prohibited class (RFC 3454 C.1.2 to C.9) {@code cp} is in, or null. */
    static String prohibited(int cp) {
        if (nonAsciiSpace(cp)) {
            return "non-ASCII space";
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F || cp == 0x180E
                || cp == 0x200C || cp == 0x200D || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2063)
                || cp == 0xFEFF || (cp >= 0x1D173 && cp <= 0x1D17A)) {
            return "control character";
        }
        if ((cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD)) {
            return "private-use character";
        }
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "non-character code point";
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            return "lone surrogate";
        }
        if (cp >= 0xFFF9 && cp <= 0xFFFD) {
            return "character inappropriate for plain text";
        }
        if (cp >= 0x2FF0 && cp <= 0x2FFB) {
            return "ideographic description character";
        }
        if (cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x206A && cp <= 0x206F)) {
            return "display-changing character";
        }
        if (cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F)) {
            return "tagging character";
        }
        return null;
    }
}
