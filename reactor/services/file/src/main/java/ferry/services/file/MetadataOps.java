package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.protocol.JsonWriter;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.FileRegion;
import ferry.reactor.OpException;
import ferry.reactor.Right;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read-only ops about files: {@code STAT} (one file or folder), {@code LIST} (a folder's
 * entries, as a JSON array in the answer's body) and {@code HASH} (a file's digest, from the
 * cache or computed on a worker). Every disk access runs on a worker.
 *
 * <p>Threading contract: the handlers run on the loop.
 */
final class MetadataOps {
    private final FileContext ctx;

    MetadataOps(FileContext ctx) {
        this.ctx = ctx;
    }

    /** A stat'ed path (for STAT and HASH). */
    private record Found(Path real, FileStat stat) {}

    // ---- STAT ---------------------------------------------------------------------------------

    BodySink stat(Call call) throws Exception {
        call.session().require(Right.READ);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        String alg = req.optString(ALGORITHM);
        DigestAlgorithm algorithm = alg == null ? DigestAlgorithm.NONE : DigestAlgorithm.fromWire(alg);
        ctx.onWorker(call, fp.shown(), () -> find(fp), found -> {
            Header h = Header.reply(STAT, call.id())
                    .put(NAME, fp.isHome() ? "." : fp.name())
                    .put(TYPE, found.stat().type())
                    .put(FILE_SIZE, found.stat().size())
                    .put(MTIME, found.stat().mtimeMillis());
            if (algorithm.isNone() || !found.stat().isFile()) {
                call.reply(h);
                return;
            }
            withDigest(call, fp, found, algorithm, (hex, cached) ->
                    call.reply(h.put(ALGORITHM, algorithm.wireName()).put(DIGEST, hex)));
        });
        return null;
    }

    private Found find(FilePath fp) throws Exception {
        Path real = ctx.resolver.confineTarget(fp);
        return new Found(real, ctx.files().stat(real));
    }

    // ---- HASH ---------------------------------------------------------------------------------

    BodySink hash(Call call) throws Exception {
        call.session().require(Right.READ);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        String alg = req.optString(ALGORITHM);
        DigestAlgorithm algorithm = alg == null ? DigestAlgorithm.DEFAULT : DigestAlgorithm.fromWire(alg);
        if (algorithm.isNone()) {
            throw OpException.badRequest("HASH needs a digest algorithm (sha-256 or md5), not none");
        }
        ctx.onWorker(call, fp.shown(), () -> find(fp), found -> {
            if (!found.stat().isFile()) {
                throw OpException.badRequest(fp.shown() + " is not a regular file");
            }
            withDigest(call, fp, found, algorithm, (hex, cached) -> call.reply(Header.reply(HASH, call.id())
                    .put(ALGORITHM, algorithm.wireName())
                    .put(DIGEST, hex)
                    .put(FILE_SIZE, found.stat().size())
                    .put(MTIME, found.stat().mtimeMillis())
                    .put(CACHED, cached)));
        });
        return null;
    }

    private interface DigestThen {
        void run(String hex, boolean cached);
    }

    /** Gets the digest (cache or worker) and continues on the loop. */
    private void withDigest(Call call, FilePath fp, Found found, DigestAlgorithm algorithm, DigestThen then) {
        boolean taken = ctx.digests.digest(call.loop(), found.real(), found.stat(), algorithm, (r, e) -> {
            if (e != null) {
                call.fail(FileErrors.map(e, fp.shown()));
            } else {
                then.run(r.hex(), r.cached());
            }
        });
        if (!taken) {
            call.fail(FileErrors.map(DigestCache.busy(), fp.shown()));
        }
    }

    // ---- LIST ---------------------------------------------------------------------------------

    BodySink list(Call call) throws Exception {
        call.session().require(Right.READ);
        Header req = call.request();
        String p = req.optString(PATH);
        FilePath fp = ctx.resolver.resolve(call.session().home(), p == null ? "" : p);
        // A listing may be megabytes (100,000 long names are ~30 MB): it takes one of the
        // connection's download slots until it is on its way, so a client that pipelines LISTs
        // and never reads holds a few answers, not one per LIST; a big one waits in an unlinked
        // temp file, not on the heap.
        ctx.downloadSlots.acquire(call, slot -> ctx.onWorker(call, fp.shown(), () -> listOnWorker(fp), listing -> {
            Header h = Header.reply(LIST, call.id()).put(COUNT, (long) listing.count());
            if (listing.file() != null) {
                call.replyFile(h, new FileRegion(listing.file(), 0, listing.bytes(), true)
                        .whenDone((region, sent, error) -> slot.release()));
            } else {
                call.reply(h, ByteBuffer.wrap(listing.body(), 0, (int) listing.bytes()));
                call.whenHead(slot::release); // held back behind earlier answers until then
            }
        }, slot::release));
        return null;
    }

    /** Listings larger than this go to a temp file instead of the heap while they wait to be sent. */
    static final int LIST_SPILL_BYTES = 64 * 1024;

    /** A LIST body: in {@code body} (the first {@code bytes}), or, when big, in {@code file}. */
    record Listing(int count, long bytes, byte[] body, FileChannel file) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (file != null) {
                file.close();
            }
        }
    }

    private Listing listOnWorker(FilePath fp) throws Exception {
        Path dir = ctx.resolver.confineTarget(fp);
        Path realHome = fp.home().toRealPath();
        RootFolder opened;
        try {
            opened = ctx.files().openFolder(dir);
        } catch (NoSuchFileException e) {
            throw OpException.notFound("no such folder: " + fp.shown());
        } catch (NotDirectoryException e) {
            throw OpException.badRequest(fp.shown() + " is not a folder (STAT describes a file)");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        try (RootFolder folder = opened) {
            for (Path e : folder.entries()) {
                String name = e.getFileName().toString();
                if (UploadTemps.isTempName(name)) {
                    continue; // uploads in progress are not files yet
                }
                if (entries.size() >= ctx.config.maxListEntries()) {
                    throw new OpException(ErrorCode.TOO_LARGE, fp.shown() + " has more than "
                            + ctx.config.maxListEntries() + " entries, the server's LIST limit");
                }
                entries.add(entry(folder, e, name, realHome));
            }
        }
        entries.sort((a, b) -> NAME_ORDER.compare((String) a.get(NAME), (String) b.get(NAME)));
        return encode(entries);
    }

    /** The JSON array of {@code entries}, on the heap while small, else spilled to an unlinked temp file. */
    static Listing encode(List<Map<String, Object>> entries) throws IOException {
        JsonWriter one = new JsonWriter();
        ByteBuffer pending = ByteBuffer.allocate(LIST_SPILL_BYTES); // always being filled
        FileChannel file = null;
        long spilled = 0;
        try {
            pending.put((byte) '[');
            for (int i = 0; i < entries.size(); i++) {
                one.reset().value(entries.get(i));
                ByteBuffer entry = ByteBuffer.wrap(one.array(), 0, one.length());
                int need = entry.remaining() + 2; // a comma, and room for the closing bracket
                if (pending.remaining() < need) {
                    if (file == null) {
                        file = spillFile();
                    }
                    spilled += flush(pending, file);
                }
                if (i > 0) {
                    pending.put((byte) ',');
                }
                if (entry.remaining() > pending.remaining() - 1) { // bigger than the buffer itself
                    spilled += flush(pending, file);
                    spilled += writeFully(entry, file);
                } else {
                    pending.put(entry);
                }
            }
            pending.put((byte) ']');
            if (file == null) {
                // Exactly the bytes: the answer keeps this array until sent, and flow control counts only these.
                return new Listing(entries.size(), pending.position(), Arrays.copyOf(pending.array(), pending.position()), null);
            }
            spilled += flush(pending, file);
            return new Listing(entries.size(), spilled, null, file);
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                file.close();
            }
            throw e;
        }
    }

    /** Writes what {@code buf} was filled with to {@code file} and empties it; returns the bytes written. */
    private static long flush(ByteBuffer buf, FileChannel file) throws IOException {
        buf.flip();
        long n = writeFully(buf, file);
        buf.clear();
        return n;
    }

    private static long writeFully(ByteBuffer buf, FileChannel file) throws IOException {
        long n = 0;
        while (buf.hasRemaining()) {
            n += file.write(buf);
        }
        return n;
    }

    /** An owner-only temp file, unlinked at once: it lives as long as the channel, and no one else can open it. */
    private static FileChannel spillFile() throws IOException {
        Path tmp = Files.createTempFile("ferry-list-", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            return FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.delete(tmp);
        }
    }

    /**
     * One entry, described relative to the open folder; a symlink is described by its target if
     * that stays inside the home (read without following anything on the way), else as "other".
     */
    private Map<String, Object> entry(RootFolder folder, Path e, String name, Path realHome) {
        Map<String, Object> m = new LinkedHashMap<>(6);
        m.put(NAME, name);
        FileStat st;
        try {
            BasicFileAttributes a = folder.attributes(e);
            st = FileStat.of(a);
            if (a.isSymbolicLink()) {
                Path real = folder.pathOf(e).toRealPath();
                st = real.startsWith(realHome) ? ctx.files().stat(real) : null;
            }
        } catch (IOException gone) {
            st = null; // vanished while listing, or a dangling link
        }
        m.put(TYPE, st == null ? TYPE_OTHER : st.type());
        m.put(FILE_SIZE, st == null ? 0L : st.size());
        m.put(MTIME, st == null ? 0L : st.mtimeMillis());
        return m;
    }
}
