package ferry.services.file;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A file opened for reading: {@code stat} describes it, its size being the open channel's
 * (looked up once, with {@code fstat}). {@code channel} is null when it is not a regular file.
 */
record ReadFile(FileChannel channel, FileStat stat) {
    /** Something that is not a regular file, described and left unopened. */
    static ReadFile notRegular(FileStat stat) {
        return new ReadFile(null, stat);
    }

    /** The open file's size; closes it if even that fails. */
    static long sizeOf(FileChannel ch) throws IOException {
        try {
            return ch.size();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** {@code st} with {@code size}, the size of what {@code ch} holds: the bytes a GET can send. */
    static ReadFile sized(FileChannel ch, long size, FileStat st) {
        return new ReadFile(ch, size == st.size() ? st
                : new FileStat(st.type(), size, st.mtimeNanos(), st.ctimeNanos(), st.fileKey()));
    }
}
