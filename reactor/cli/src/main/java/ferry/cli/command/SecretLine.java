package ferry.cli.command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one line that may be a password: as characters, never a String (Strings cannot be wiped),
 * strict UTF-8, bounded, and with every intermediate buffer zeroed afterwards.
 */
public final class SecretLine {
    /** A byte at a time, -1 at the end: a terminal file or stdin. */
    @FunctionalInterface
    public interface ByteSource {
        public int read() throws IOException;
    }

    /** The line is longer than allowed or is not UTF-8; the message says which. */
    public static final class BadLineException extends IOException {
        private static final long serialVersionUID = 1L;

        BadLineException(String message) {
            super(message);
        }
    }

    private SecretLine() {}

    /**
     * The next line without its line end ({@code \n}, or {@code \r\n}).
     *
     * @return the characters, or null when the input ended before any byte
     * @throws BadLineException longer than {@code maxBytes}, or not valid UTF-8
     */
    public static char[] read(ByteSource in, int maxBytes) throws IOException {
        byte[] bytes = new byte[maxBytes];
        int len = 0;
        try {
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (len == bytes.length) {
                    throw new BadLineException("longer than " + maxBytes + " bytes");
                }
                bytes[len++] = (byte) b;
            }
            if (b < 0 && len == 0) {
                return null;
            }
            if (len > 0 && bytes[len - 1] == '\r') {
                len--;
            }
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, len));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new BadLineException("not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
