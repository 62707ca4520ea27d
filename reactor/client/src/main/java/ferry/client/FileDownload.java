package ferry.client;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.Header;
import ferry.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * One {@link FileClient#download} into a local file: into the partial beside it, resumed from
 * what the partial holds, verified against the server's digest, then renamed into place; a
 * partial the server's file no longer matches is started over once.
 *
 * <p>Threading: the calling thread only, one download at a time on its {@link FerryClient}.
 */
final class FileDownload {
    private final FerryClient client;
    private final FileClient.Options options;

    FileDownload(FerryClient client, FileClient.Options options) {
        this.client = client;
        this.options = options;
    }

    /** See {@link FileClient#download(String, Path, TransferProgress)}. */
    TransferResult toFile(String remote, Path local, TransferProgress progress) throws IOException {
        if (!options.overwrite() && Files.exists(local)) {
            throw new FileAlreadyExistsException(local.toString(), null, "destination exists and overwrite is off");
        }
        Path part = FileClient.partialPath(local);
        long have = 0;
        if (options.resume() && Files.isRegularFile(part)) {
            have = Files.size(part);
        } else {
            Files.deleteIfExists(part);
        }
        if (have == 0) {
            return downloadFrom(remote, local, part, 0, progress);
        }
        try {
            return downloadFrom(remote, local, part, have, progress);
        } catch (DigestMismatchException e) {
            // The partial may be from an older version of the file: start over once, cleanly.
            return downloadFrom(remote, local, part, 0, progress);
        } catch (RemoteException e) {
            if (!"bad_request".equals(e.code())) {
                throw e;
            }
            // The file is now shorter than our partial (offset beyond the end): start over.
            Files.deleteIfExists(part);
            return downloadFrom(remote, local, part, 0, progress);
        }
    }

    private TransferResult downloadFrom(String remote, Path local, Path part, long have, TransferProgress progress)
            throws IOException {
        long t0 = System.nanoTime();
        DigestAlgorithm alg = options.effectiveAlgorithm();
        boolean existed = Files.exists(part);
        Header resp;
        long fileSize;
        long count;
        String expected = null;
        MessageDigest md = null;
        // The partial is opened before asking, so a local problem (no such folder, no permission)
        // surfaces before the server starts sending a body we could not store.
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            Header req = Header.op(GET).put(Header.ID, client.nextId()).put(PATH, remote).put(OFFSET, have);
            if (!alg.isNone()) {
                req.put(ALGORITHM, alg.wireName());
            }
            client.send(req);
            try {
                resp = client.expect(client.readHeader(), FILE, req.id());
            } catch (RemoteException e) {
                if (!existed) {
                    out.close();
                    Files.deleteIfExists(part); // leave no empty partial behind a refused download
                }
                throw e;
            }
            fileSize = resp.requireLong(FILE_SIZE);
            count = resp.size();
            if (have + count != fileSize) {
                throw new ProtocolException("FILE answer of " + count + " bytes from offset " + have
                        + " does not end at fileSize " + fileSize);
            }
            if (!alg.isNone()) {
                expected = resp.optString(DIGEST);
                if (expected == null) {
                    throw new ProtocolException("the server sent no " + alg.wireName() + " digest to verify against");
                }
                md = alg.newDigest();
            }
            if (out.size() != have) {
                out.truncate(have);
            }
            if (md != null && have > 0) {
                FileClient.hash(out, have, md);
            }
            DownloadReceiver r = new DownloadReceiver(out, have, md, fileSize, progress,
                    TimeUnit.MILLISECONDS.toNanos(options.progressIntervalMillis()));
            try (WriteBehind flusher = new WriteBehind(out, options.sync() ? options.writeBehindBytes() : 0)) {
                r.flusher = flusher;
                while (client.readBodyChunk(r)) {
                    // the receiver writes each chunk
                }
            } catch (EOFException | SocketException e) {
                // The server can only end a body early by closing (a file that shrank under it, a
                // stop): say which download, how far it got, and where its bytes are.
                throw cutOff(e, remote, r.pos, fileSize, part);
            }
            if (r.pos != fileSize) {
                throw new ProtocolException("body ended at " + r.pos + " of " + fileSize + " bytes");
            }
            if (options.sync()) {
                out.force(true);
            }
            r.report(true);
        }
        String actual = md == null ? null : DigestAlgorithm.hex(md.digest());
        if (md != null && !expected.equals(actual)) {
            Files.deleteIfExists(part);
            throw new DigestMismatchException("download of " + remote, alg.wireName(), expected, actual);
        }
        if (options.preserveTimes() && resp.has(MTIME)) {
            Files.setLastModifiedTime(part, FileTime.fromMillis(resp.requireLong(MTIME)));
        }
        Files.move(part, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new TransferResult(fileSize, have, count, System.nanoTime() - t0, alg.wireName(), actual);
    }

    /** The same kind of exception as {@code e}, naming the download and what is kept of it. */
    private static IOException cutOff(IOException e, String remote, long got, long fileSize, Path part) {
        String m = "download of " + remote + " cut off after " + got + " of " + fileSize + " bytes: "
                + (e.getMessage() == null ? "connection lost" : e.getMessage())
                + " (the bytes so far are kept in " + part + "; downloading again resumes from there)";
        IOException wrapped = e instanceof EOFException ? new EOFException(m) : new SocketException(m);
        wrapped.initCause(e);
        return wrapped;
    }
}
