package ferry.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * What {@link FileBench} needs of the machine it runs on: seeded test files, the page cache
 * (warm a file, or evict it), and the CPU to name in the report.
 *
 * <p>Threading: static, stateless; called from the bench's main thread.
 */
final class BenchHost {
    private BenchHost() {}

    /** Writes {@code size} bytes of seeded random blocks unless the file already has that size. */
    static void ensureFile(Path p, long size, long seed) throws IOException {
        if (Files.exists(p) && Files.size(p) == size) {
            return;
        }
        byte[] block = new byte[1 << 20];
        new Random(seed).nextBytes(block);
        ByteBuffer buf = ByteBuffer.wrap(block);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            for (long i = 0; pos < size; i++) {
                buf.clear().putLong(0, i ^ seed).limit((int) Math.min(block.length, size - pos));
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
        }
    }

    /** Reads a file through once so it is in the page cache. */
    static void cat(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p); FileChannel nul = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
            long pos = 0;
            long n = ch.size();
            while (pos < n) {
                pos += ch.transferTo(pos, n - pos, nul);
            }
        }
    }

    /** Drops one file's pages from the page cache (posix_fadvise DONTNEED through GNU dd). */
    static void evict(Path p) throws Exception {
        Process d = new ProcessBuilder("dd", "if=" + p, "iflag=nocache", "count=0", "status=none").inheritIO().start();
        if (d.waitFor() != 0) {
            throw new IOException("could not evict " + p + " from the page cache");
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** Cores of the machine (this JVM is pinned to one, so availableProcessors() says 1). */
    static long cpuCount() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
