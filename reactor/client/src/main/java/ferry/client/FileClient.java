package ferry.client;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.protocol.Json;
import ferry.protocol.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * File transfers and file management over a {@link FerryClient} (composition: the connection
 * stays usable for other ops between calls).
 *
 * <p>Downloads go to a partial file beside the destination ({@code NAME.ferry-partial}), are
 * verified against the server's digest (SHA-256 by default) and only then renamed to their final
 * name; a mismatch deletes the partial and throws {@link DigestMismatchException}, so a corrupt
 * file is never left under the final name. An interrupted download (any exception mid-body,
 * including a {@link TransferProgress} that throws) leaves the partial, and the next download of
 * the same file resumes from it.
 *
 * <p>Uploads hash the local file first (so the server can verify before it makes the file
 * visible), ask the server how much of this very upload it already holds ({@code PARTIAL}), and
 * send the rest zero-copy with {@code sendfile}.
 *
 * <p>After an I/O error in the middle of a transfer the connection is in an unknown state:
 * close it and use a new one (the resume picks up from there).
 *
 * <p>Thread safety: like FerryClient, one thread at a time.
 */
public final class FileClient {
    /** Suffix of a download in progress next to its destination. */
    public static final String PARTIAL_SUFFIX = ".ferry-partial";

    /**
     * How transfers behave. Immutable; start from {@link #defaults()}.
     *
     * @param verify               check digests end to end (on by default)
     * @param algorithm            digest used when verifying
     * @param resume               continue from a partial download / a partial upload on the server
     * @param sync                 force a download to disk before renaming it into place
     * @param overwrite            replace an existing destination
     * @param preserveTimes        give the destination the source's modification time
     * @param progressIntervalMillis least time between two progress callbacks
     * @param uploadSliceBytes     bytes per sendfile call while uploading (progress granularity)
     * @param writeBehindBytes     with sync, flush a download to disk in the background every this many bytes (0: only at the end)
     */
    public record Options(boolean verify, DigestAlgorithm algorithm, boolean resume, boolean sync, boolean overwrite,
                          boolean preserveTimes, long progressIntervalMillis, long uploadSliceBytes, long writeBehindBytes) {
        public static final long DEFAULT_PROGRESS_INTERVAL_MILLIS = 200;
        public static final long DEFAULT_UPLOAD_SLICE_BYTES = 8L * 1024 * 1024;
        /** The disk works while the network does; the final fsync has at most this much left. */
        public static final long DEFAULT_WRITE_BEHIND_BYTES = 32L * 1024 * 1024;
        /** Read size when hashing a local file. */
        public static final int HASH_BUFFER_BYTES = 1024 * 1024;

        public static Options defaults() {
            return new Options(true, DigestAlgorithm.DEFAULT, true, true, true, true,
                    DEFAULT_PROGRESS_INTERVAL_MILLIS, DEFAULT_UPLOAD_SLICE_BYTES, DEFAULT_WRITE_BEHIND_BYTES);
        }

        public Options withVerify(boolean v) {
            return new Options(v, algorithm, resume, sync, overwrite, preserveTimes, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withAlgorithm(DigestAlgorithm v) {
            return new Options(verify, v, resume, sync, overwrite, preserveTimes, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withResume(boolean v) {
            return new Options(verify, algorithm, v, sync, overwrite, preserveTimes, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withSync(boolean v) {
            return new Options(verify, algorithm, resume, v, overwrite, preserveTimes, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withOverwrite(boolean v) {
            return new Options(verify, algorithm, resume, sync, v, preserveTimes, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withPreserveTimes(boolean v) {
            return new Options(verify, algorithm, resume, sync, overwrite, v, progressIntervalMillis, uploadSliceBytes, writeBehindBytes);
        }

        public Options withProgressIntervalMillis(long v) {
            return new Options(verify, algorithm, resume, sync, overwrite, preserveTimes, v, uploadSliceBytes, writeBehindBytes);
        }

        DigestAlgorithm effectiveAlgorithm() {
            return verify ? algorithm : DigestAlgorithm.NONE;
        }
    }

    private final FerryClient client;
    private final Options options;

    public FileClient(FerryClient client) {
        this(client, Options.defaults());
    }

    public FileClient(FerryClient client, Options options) {
        if (options.verify() && options.algorithm().isNone()) {
            throw new IllegalArgumentException("verify needs a digest algorithm other than none");
        }
        this.client = client;
        this.options = options;
    }

    public FerryClient connection() {
        return client;
    }

    public Options options() {
        return options;
    }

    /** The same connection with other options. */
    public FileClient with(Options o) {
        return new FileClient(client, o);
    }

    /** Where a download to {@code local} keeps its bytes until it is complete and verified. */
    public static Path partialPath(Path local) {
        return local.resolveSibling(local.getFileName().toString() + PARTIAL_SUFFIX);
    }

    // ---- download ---------------------------------------------------------------------------------

    public TransferResult download(String remote, Path local) throws IOException {
        return download(remote, local, TransferProgress.NONE);
    }

    /**
     * Downloads {@code remote} to {@code local}: resumes a partial download if there is one,
     * verifies the digest, renames into place.
     *
     * @throws DigestMismatchException the bytes do not match the server's digest (the partial is deleted)
     * @throws RemoteException the server refused (not_found, forbidden, ...)
     * @throws FileAlreadyExistsException {@code local} exists and overwrite is off
     */
    public TransferResult download(String remote, Path local, TransferProgress progress) throws IOException {
        return new FileDownload(client, options).toFile(remote, local, progress);
    }

    /**
     * Downloads {@code remote} into {@code out} as its bytes arrive (a pipe, stdout), computing the
     * digest on the way and checking it against the server's at the end. Nothing can be taken
     * back from a stream: a mismatch is reported after the bytes were written, and there is no
     * partial to resume.
     *
     * @return the result; its digest is the verified one (null when verification is off)
     * @throws DigestMismatchException the bytes written do not match the server's digest
     */
    public TransferResult downloadTo(String remote, OutputStream out) throws IOException {
        long t0 = System.nanoTime();
        DigestAlgorithm alg = options.effectiveAlgorithm();
        Header resp = beginGet(remote, 0);
        long fileSize = resp.requireLong(FILE_SIZE);
        MessageDigest md = alg.isNone() ? null : alg.newDigest();
        byte[] buf = new byte[64 * 1024];
        long[] pos = {0};
        while (client.readBodyChunk(chunk -> {
            if (md != null) {
                md.update(chunk.duplicate());
            }
            pos[0] += chunk.remaining();
            while (chunk.hasRemaining()) {
                int n = Math.min(buf.length, chunk.remaining());
                chunk.get(buf, 0, n);
                out.write(buf, 0, n);
            }
        })) {
            // each chunk is written as it comes
        }
        out.flush();
        if (pos[0] != fileSize) {
            throw new ProtocolException("body ended at " + pos[0] + " of " + fileSize + " bytes");
        }
        String actual = md == null ? null : DigestAlgorithm.hex(md.digest());
        if (md != null && !actual.equals(resp.optString(DIGEST))) {
            throw new DigestMismatchException("download of " + remote, alg.wireName(), resp.optString(DIGEST), actual);
        }
        return new TransferResult(fileSize, 0, fileSize, System.nanoTime() - t0, alg.wireName(), actual);
    }

    // ---- upload -----------------------------------------------------------------------------------

    public TransferResult upload(Path local, String remote) throws IOException {
        return upload(local, remote, TransferProgress.NONE);
    }

    /**
     * Uploads {@code local} to {@code remote}: resumes what the server holds of this upload, and
     * (with verify) lets the server check the digest before the file becomes visible.
     *
     * @throws RemoteException the server refused or failed: {@code digest_mismatch}, {@code conflict}
     *     (another upload of the path is running), {@code io_error} (disk full), ...
     */
    public TransferResult upload(Path local, String remote, TransferProgress progress) throws IOException {
        String digest = localDigest(local, TransferProgress.NONE);
        long offset = 0;
        if (options.resume()) {
            long size = Files.size(local);
            offset = partial(remote, size, options.effectiveAlgorithm(), digest);
        }
        return uploadFrom(local, remote, digest, offset, progress);
    }

    /**
     * The digest an upload of {@code local} declares ({@code expect}) with these options, or null
     * when verification is off. Reports its progress to {@code hashing} (the rate is of reading).
     */
    public String localDigest(Path local, TransferProgress hashing) throws IOException {
        DigestAlgorithm alg = options.effectiveAlgorithm();
        if (alg.isNone()) {
            return null;
        }
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            MessageDigest md = alg.newDigest();
            hash(in, in.size(), md, hashing, options.progressIntervalMillis());
            return DigestAlgorithm.hex(md.digest());
        }
    }

    /**
     * The second half of {@link #upload}: sends {@code local} from {@code offset} (what
     * {@link #partial} said the server holds; 0 for a fresh upload) with {@code digest} (from
     * {@link #localDigest}, null without verification) for the server to check.
     */
    public TransferResult uploadFrom(Path local, String remote, String digest, long offset, TransferProgress progress)
            throws IOException {
        long t0 = System.nanoTime();
        DigestAlgorithm alg = options.effectiveAlgorithm();
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            long size = in.size();
            if (offset < 0 || offset > size) {
                throw new IllegalArgumentException("offset " + offset + " outside the file's " + size + " bytes");
            }
            long id = beginPut(remote, size, offset, digest,
                    options.preserveTimes() ? Files.getLastModifiedTime(local).toMillis() : -1);
            long pos = offset;
            long startNanos = System.nanoTime();
            long lastReport = startNanos;
            long intervalNanos = TimeUnit.MILLISECONDS.toNanos(options.progressIntervalMillis());
            while (pos < size) {
                long n = Math.min(options.uploadSliceBytes(), size - pos);
                client.sendFileBody(in, pos, n);
                pos += n;
                long now = System.nanoTime();
                if (now - lastReport >= intervalNanos) {
                    lastReport = now;
                    progress.onProgress(pos, size, (pos - offset) * 1e9 / Math.max(1, now - startNanos));
                }
            }
            endPut(id, digest, "upload of " + local);
            long now = System.nanoTime();
            progress.onProgress(size, size, (size - offset) * 1e9 / Math.max(1, now - startNanos));
            return new TransferResult(size, offset, size - offset, now - t0, alg.wireName(), digest);
        }
    }

    /**
     * Sends the header of a {@code PUT} of {@code fileSize - offset} body bytes, which the caller
     * then sends with {@link FerryClient#sendBody}/{@link FerryClient#sendFileBody} before calling
     * {@link #endPut} (how a copy between two servers streams one GET's body into a PUT).
     *
     * @param digest      the whole file's digest for the server to verify, or null (verification off)
     * @param mtimeMillis modification time to give the file, or -1 for the upload time
     * @return the request id, for {@link #endPut}
     */
    public long beginPut(String remote, long fileSize, long offset, String digest, long mtimeMillis) throws IOException {
        DigestAlgorithm alg = options.effectiveAlgorithm();
        Header req = Header.op(PUT).put(Header.ID, client.nextId()).put(PATH, remote)
                .put(FILE_SIZE, fileSize).put(OFFSET, offset).put(ALGORITHM, alg.wireName())
                .put(OVERWRITE, options.overwrite()).put(Header.SIZE, fileSize - offset);
        if (digest != null) {
            req.put(EXPECT, digest);
        }
        if (mtimeMillis >= 0) {
            req.put(MTIME, mtimeMillis);
        }
        client.send(req);
        return req.id();
    }

    /**
     * Reads the answer to the PUT {@code id} once its body is sent, and checks that the server
     * stored what was declared.
     *
     * @param what names the transfer in a {@link DigestMismatchException}
     */
    public Header endPut(long id, String digest, String what) throws IOException {
        Header ok = client.expect(client.readHeader(), OK, id);
        if (digest != null && !digest.equals(ok.optString(DIGEST))) {
            throw new DigestMismatchException(what, options.effectiveAlgorithm().wireName(), digest, ok.optString(DIGEST));
        }
        return ok;
    }

    /**
     * Sends a {@code GET} from {@code offset} (asking for the whole file's digest when
     * verification is on) and returns the {@code FILE} answer; its body, the bytes from
     * {@code offset}, is then read with {@link FerryClient#readBodyChunk}.
     *
     * @throws RemoteException the server refused (not_found, forbidden, ...)
     */
    public Header beginGet(String remote, long offset) throws IOException {
        DigestAlgorithm alg = options.effectiveAlgorithm();
        Header req = Header.op(GET).put(Header.ID, client.nextId()).put(PATH, remote).put(OFFSET, offset);
        if (!alg.isNone()) {
            req.put(ALGORITHM, alg.wireName());
        }
        client.send(req);
        Header resp = client.expect(client.readHeader(), FILE, req.id());
        long fileSize = resp.requireLong(FILE_SIZE);
        if (offset + resp.size() != fileSize) {
            throw new ProtocolException("FILE answer of " + resp.size() + " bytes from offset " + offset
                    + " does not end at fileSize " + fileSize);
        }
        if (!alg.isNone() && resp.optString(DIGEST) == null) {
            throw new ProtocolException("the server sent no " + alg.wireName() + " digest to verify against");
        }
        return resp;
    }

    /** {@code PARTIAL}: bytes of this upload (path, size, digest) the server holds already. */
    public long partial(String remote, long fileSize, DigestAlgorithm alg, String expect) throws IOException {
        Header req = Header.op(PARTIAL).put(PATH, remote).put(FILE_SIZE, fileSize).put(ALGORITHM, alg.wireName());
        if (expect != null) {
            req.put(EXPECT, expect);
        }
        return client.call(req).requireLong(OFFSET);
    }

    // ---- management ops ---------------------------------------------------------------------------

    public FileInfo stat(String remote) throws IOException {
        return stat(remote, DigestAlgorithm.NONE);
    }

    /** STAT, with the file's digest when {@code alg} is not none. */
    public FileInfo stat(String remote, DigestAlgorithm alg) throws IOException {
        Header req = Header.op(STAT).put(PATH, remote);
        if (!alg.isNone()) {
            req.put(ALGORITHM, alg.wireName());
        }
        Header h = client.call(req);
        return new FileInfo(h.requireString(NAME), h.requireString(TYPE), h.requireLong(FILE_SIZE),
                h.requireLong(MTIME), h.optString(DIGEST));
    }

    /** The entries of a folder ("" is the home folder), sorted by name. */
    public List<FileInfo> list(String remote) throws IOException {
        return new Listings(client).list(remote);
    }

    /** LISTs each folder of {@code remotes}, pipelined {@code window} deep ({@link Listings#list(List, int)}). */
    public List<Listings.Listing> list(List<String> remotes, int window) throws IOException {
        return new Listings(client).list(remotes, window);
    }

    public void mkdir(String remote, boolean parents) throws IOException {
        client.call(Header.op(MKDIR).put(PATH, remote).put(PARENTS, parents));
    }

    public void delete(String remote, boolean recursive) throws IOException {
        client.call(Header.op(DELETE).put(PATH, remote).put(RECURSIVE, recursive));
    }

    public void rename(String from, String to, boolean overwrite) throws IOException {
        client.call(Header.op(RENAME).put(FROM, from).put(TO, to).put(OVERWRITE, overwrite));
    }

    /** The server's digest of a file (cached there by file version). */
    public String hash(String remote, DigestAlgorithm alg) throws IOException {
        return client.call(Header.op(HASH).put(PATH, remote).put(ALGORITHM, alg.wireName())).requireString(DIGEST);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Feeds the first {@code count} bytes of {@code ch} to {@code md}. */
    static void hash(FileChannel ch, long count, MessageDigest md) throws IOException {
        hash(ch, count, md, TransferProgress.NONE, Long.MAX_VALUE);
    }

    /** As {@link #hash(FileChannel, long, MessageDigest)}, telling {@code progress} how far it got. */
    private static void hash(FileChannel ch, long count, MessageDigest md, TransferProgress progress,
                             long intervalMillis) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(Options.HASH_BUFFER_BYTES);
        long t0 = System.nanoTime();
        long last = t0;
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(intervalMillis, Long.MAX_VALUE / 1_000_000));
        long pos = 0;
        while (pos < count) {
            buf.clear();
            if (buf.remaining() > count - pos) {
                buf.limit((int) (count - pos));
            }
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file ended at " + pos + " of " + count + " bytes while hashing");
            }
            pos += n;
            md.update(buf.flip());
            long now = System.nanoTime();
            if (progress != TransferProgress.NONE && (now - last >= intervalNanos || pos == count)) {
                last = now;
                progress.onProgress(pos, count, pos * 1e9 / Math.max(1, now - t0));
            }
        }
    }
}
