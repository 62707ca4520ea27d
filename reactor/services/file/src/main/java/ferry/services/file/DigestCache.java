package ferry.services.file;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.reactor.EventLoop;
import ferry.reactor.OpException;
import ferry.reactor.Workers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Digests of files, computed on workers and remembered by file version, so the zero-copy send
 * path never reads a file through the heap to hash it, and a file downloaded a thousand times is
 * hashed once.
 *
 * <p>A version is (real path, size, mtime, ctime, inode): any change to the file makes a new key,
 * so a stale digest is never served for changed contents; the service also drops a path's entries
 * when it writes, deletes or renames it, to free the memory early. Bounded LRU.
 *
 * <p>Concurrent requests for the same uncached version share one computation (no worker blocks
 * waiting for another); each waiter gets the result on its own loop.
 *
 * <p>Thread safety: all methods are safe from any thread.
 */
final class DigestCache {
    /** One version of one file, hashed with one algorithm. */
    public record Key(String path, long size, long mtimeNanos, long ctimeNanos, Object fileKey, DigestAlgorithm algorithm) {
        public static Key of(Path real, FileStat st, DigestAlgorithm algorithm) {
            return new Key(real.toString(), st.size(), st.mtimeNanos(), st.ctimeNanos(), st.fileKey(), algorithm);
        }
    }

    /** A digest and whether it came from the cache. */
    public record Result(String hex, boolean cached) {}

    /** Someone waiting for a computation: the loop its completion runs on. */
    private record Waiter(EventLoop loop, Workers.Completion<Result> done) {}

    private final int maxEntries;
    private final Workers workers;
    private final RootFiles files;
    private final int bufferBytes;
    private final LinkedHashMap<Key, String> entries; // guarded by this
    private final Map<Key, List<Waiter>> computing = new HashMap<>(); // guarded by this; the first waiter submitted
    private final ThreadLocal<ByteBuffer> scratch;

    /** @param files opens and stats the files to hash without following symlinks */
    public DigestCache(int maxEntries, Workers workers, RootFiles files, int bufferBytes) {
        this.maxEntries = maxEntries;
        this.workers = workers;
        this.files = files;
        this.bufferBytes = bufferBytes;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
                return size() > DigestCache.this.maxEntries;
            }
        };
        this.scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(this.bufferBytes));
    }

    /** The cached digest, or null. */
    public synchronized String lookup(Key key) {
        return entries.get(key);
    }

    /** Remembers a digest (an upload computed it while writing). */
    public synchronized void put(Key key, String hex) {
        if (maxEntries > 0) {
            entries.put(key, hex);
        }
    }

    /** Forgets every entry for {@code real} and, for a folder, everything under it. */
    public synchronized void invalidate(Path real) {
        String p = real.toString();
        String prefix = p.endsWith("/") ? p : p + "/";
        for (Iterator<Key> it = entries.keySet().iterator(); it.hasNext(); ) {
            String k = it.next().path();
            if (k.equals(p) || k.startsWith(prefix)) {
                it.remove();
            }
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    /**
     * The digest of {@code real} as it is in version {@code expected}, handed to {@code done} on
     * {@code loop}, which must be the calling thread's: at once, before this returns, from the cache, or once a worker has
     * computed it. {@code done} gets {@code conflict} if the file changes before or while it is
     * read, and {@code busy} if it joined a computation whose job no worker took.
     *
     * @return false if no worker takes the computation: {@code done} will not run, and the
     *     caller answers {@code busy} ({@link #busy()})
     */
    public boolean digest(EventLoop loop, Path real, FileStat expected, DigestAlgorithm algorithm,
                          Workers.Completion<Result> done) {
        loop.assertInLoop(); // a hit completes right here
        Key key = Key.of(real, expected, algorithm);
        String hit;
        synchronized (this) {
            hit = entries.get(key);
            if (hit == null) {
                List<Waiter> waiting = computing.get(key);
                if (waiting != null) {
                    waiting.add(new Waiter(loop, done));
                    return true;
                }
                waiting = new ArrayList<>(2);
                waiting.add(new Waiter(loop, done));
                computing.put(key, waiting);
            }
        }
        if (hit != null) {
            done.complete(new Result(hit, true), null);
            return true;
        }
        if (workers.trySubmit(loop, () -> computeShared(real, key), done)) {
            return true;
        }
        List<Waiter> joined;
        synchronized (this) {
            joined = computing.remove(key);
        }
        answerOthers(joined, null, busy());
        return false;
    }

    /** The refusal of a digest no worker was free to compute. */
    static OpException busy() {
        return GetOp.busy("no worker free to compute a digest");
    }

    /** Worker: computes for every waiter; the first gets the result as the job's, the rest by post. */
    private Result computeShared(Path real, Key key) throws Exception {
        String hex = null;
        Throwable error = null;
        try {
            hex = compute(real, key);
        } catch (Throwable t) {
            error = t;
        }
        List<Waiter> waiting;
        synchronized (this) {
            waiting = computing.remove(key);
            if (hex != null) {
                put(key, hex);
            }
        }
        Result r = hex == null ? null : new Result(hex, false);
        answerOthers(waiting, r, error);
        if (error instanceof Exception e) {
            throw e;
        }
        if (error != null) {
            throw (Error) error;
        }
        return r;
    }

    /** Posts the outcome to every waiter but the first (who submitted the job). Any thread. */
    private static void answerOthers(List<Waiter> waiting, Result r, Throwable error) {
        for (int i = 1; i < waiting.size(); i++) {
            Waiter w = waiting.get(i);
            Workers.post(w.loop(), r, error, w.done());
        }
    }

    /**
     * Hashes the file on this (worker) thread; checks it is still the version asked for. {@code real}
     * has no symlink in it: the access follows none ({@link RootFiles}).
     */
    private String compute(Path real, Key key) throws IOException, OpException {
        if (!Key.of(real, files.stat(real), key.algorithm()).equals(key)) {
            throw changed(real);
        }
        MessageDigest md = key.algorithm().newDigest();
        try (FileChannel ch = files.open(real, EnumSet.of(StandardOpenOption.READ))) {
            hashRange(ch, 0, key.size(), md, scratch.get());
        }
        if (!Key.of(real, files.stat(real), key.algorithm()).equals(key)) {
            throw changed(real);
        }
        return DigestAlgorithm.hex(md.digest());
    }

    /** Feeds bytes [from, from+count) of {@code ch} to {@code md}. Worker thread. */
    public static void hashRange(FileChannel ch, long from, long count, MessageDigest md, ByteBuffer buf) throws IOException {
        long pos = from;
        long end = from + count;
        while (pos < end) {
            buf.clear();
            if (buf.remaining() > end - pos) {
                buf.limit((int) (end - pos));
            }
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file ended at " + pos + " while hashing " + count + " bytes from " + from);
            }
            pos += n;
            buf.flip();
            md.update(buf);
        }
    }

    /** A scratch buffer of this cache's size for the calling worker thread. */
    ByteBuffer scratch() {
        return scratch.get();
    }

    private static OpException changed(Path real) {
        return new OpException(ErrorCode.CONFLICT, "the file changed while its digest was computed; retry");
    }
}
