package ferry.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The bytes the file scenarios serve and upload: a {@value #BLOCK_BYTES}-byte block of seeded
 * pseudo-random bytes, repeated. Random so that no layer can shortcut zero pages or compress;
 * repeated so that any size costs one block of memory and every side (harness, server root,
 * checks) agrees on the content and its digest without storing it.
 *
 * <p>Thread safety: immutable after construction; {@link #view()} gives each caller its own
 * buffer over the shared block.
 */
final class FileContent {
    /** Period of the content. */
    static final int BLOCK_BYTES = 1 << 20;
    /** Fixed seed: the same content in every run, so a file left on a server can be reused. */
    static final long SEED = 0x46657272794c4fL;
    static final String DIGEST_ALGORITHM = "SHA-256";

    private static final FileContent INSTANCE = new FileContent();

    private final ByteBuffer block;

    private FileContent() {
        byte[] b = new byte[BLOCK_BYTES];
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < b.length; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        ByteBuffer d = ByteBuffer.allocateDirect(BLOCK_BYTES);
        d.put(b).flip();
        block = d.asReadOnlyBuffer();
    }

    static FileContent get() {
        return INSTANCE;
    }

    /** A buffer of its own over the block (position 0, limit {@link #BLOCK_BYTES}), to window into. */
    ByteBuffer view() {
        return block.duplicate();
    }

    /** Byte {@code position} of the content. */
    byte byteAt(long position) {
        return block.get((int) (position % BLOCK_BYTES));
    }

    /** Lower-case hex SHA-256 of the first {@code size} bytes (what a PUT's {@code expect} and the server's digest say). */
    String digestHex(long size) {
        MessageDigest md = newDigest();
        ByteBuffer v = view();
        for (long left = size; left > 0; ) {
            int n = (int) Math.min(left, BLOCK_BYTES);
            v.clear().limit(n);
            md.update(v);
            left -= n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Raw SHA-256 of the first {@code size} bytes. */
    byte[] digest(long size) {
        return HexFormat.of().parseHex(digestHex(size));
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(DIGEST_ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + DIGEST_ALGORITHM, e);
        }
    }

    /** Writes the first {@code size} bytes to {@code file} (replacing it), through a temp and a rename. */
    void writeTo(Path file, long size) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer v = view();
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(left, BLOCK_BYTES);
                v.clear().limit(n);
                while (v.hasRemaining()) {
                    ch.write(v);
                }
                left -= n;
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether {@code file} holds exactly the first {@code size} bytes of the content. */
    boolean matches(Path file, long size) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != size) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK_BYTES);
        ByteBuffer v = view();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long pos = 0; pos < size; ) {
                int n = (int) Math.min(size - pos, BLOCK_BYTES);
                buf.clear().limit(n);
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        return false;
                    }
                }
                buf.flip();
                v.clear().limit(n);
                if (!buf.equals(v)) {
                    return false;
                }
                pos += n;
            }
        }
        return true;
    }
}
