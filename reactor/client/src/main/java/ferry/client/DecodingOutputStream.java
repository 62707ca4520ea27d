package ferry.client;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Bytes in, text out: decodes a byte stream with one charset and appends the characters to an
 * {@link Appendable} (a {@code Writer}, a {@code PrintStream}, a {@code StringBuilder}).
 *
 * <p>Remote command output arrives as raw bytes cut wherever a frame ended, so a multi-byte
 * character (two bytes in GBK, up to four in UTF-8) is often split between two writes. Decoding
 * each chunk on its own, as {@code new String(chunk, cs)} does, turns both halves into garbage;
 * this class keeps the incomplete tail until the next write completes it. Bytes that are invalid in
 * the charset become U+FFFD, and an incomplete sequence left at {@link #close()} does too.
 *
 * <p>Use the charset the remote command writes (for {@code ferry exec}, the one the user picks;
 * default the platform's). Thread safety: none; one writer at a time.
 */
public final class DecodingOutputStream extends OutputStream {
    /** Bytes decoded per step, and the size of the character buffer. */
    static final int BUFFER_BYTES = 8 * 1024;

    private final Appendable out;
    private final CharsetDecoder decoder;
    private final ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES); // write mode between calls
    private final CharBuffer chars = CharBuffer.allocate(BUFFER_BYTES);
    private final byte[] one = new byte[1];
    private boolean closed;

    public DecodingOutputStream(Appendable out, Charset charset) {
        this.out = out;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, in.remaining());
            in.put(b, off, n);
            off += n;
            len -= n;
            decode(false);
        }
    }

    /** Decodes what is buffered; an incomplete trailing sequence stays for the next write. */
    private void decode(boolean endOfInput) throws IOException {
        in.flip();
        while (true) {
            CoderResult r = decoder.decode(in, chars, endOfInput);
            if (r.isOverflow()) {
                drainChars();
                continue;
            }
            break; // underflow: all decoded, or the tail needs more bytes
        }
        in.compact();
    }

    private void drainChars() throws IOException {
        chars.flip();
        if (chars.hasRemaining()) {
            out.append(chars);
        }
        chars.clear();
    }

    /** Hands decoded characters on and flushes the target if it can; a split character waits. */
    @Override
    public void flush() throws IOException {
        drainChars();
        if (out instanceof Flushable) {
            ((Flushable) out).flush();
        }
    }

    /** Ends the input: an incomplete trailing sequence becomes U+FFFD. Does not close the target. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        decode(true);
        while (decoder.flush(chars).isOverflow()) {
            drainChars();
        }
        closed = true;
        flush();
    }
}
