package ferry.services.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic test contents: seeded random bytes, each 1 MiB block stamped with its index. */
final class TestData {
    static final int BLOCK = 1 << 20;

    private TestData() {}

    /** Writes {@code size} bytes derived from {@code seed} to {@code file}. */
    static Path write(Path file, long size, long seed) throws IOException {
        byte[] block = new byte[BLOCK];
        new Random(seed).nextBytes(block);
        ByteBuffer buf = ByteBuffer.wrap(block);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            long index = 0;
            while (pos < size) {
                buf.clear();
                buf.putLong(0, index++ ^ seed); // blocks differ: a misplaced block changes the digest
                int n = (int) Math.min(BLOCK, size - pos);
                buf.limit(n);
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
        }
        return file;
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
        try (FileChannel ch = FileChannel.open(file)) {
            while (ch.read(buf.clear()) > 0) {
                md.update(buf.flip());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** -1 when the two files are byte for byte equal. */
    static long mismatch(Path a, Path b) throws IOException {
        return Files.mismatch(a, b);
    }
}
