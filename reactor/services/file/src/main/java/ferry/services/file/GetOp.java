package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.OpException;
import ferry.reactor.OpHandler;
import ferry.reactor.Right;
import ferry.reactor.Workers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * {@code GET path [offset] [length] [algorithm]}: answers {@code FILE} with the file's size,
 * mtime and (if asked) digest, followed by the bytes of the range, sent zero-copy by
 * {@link Download}.
 *
 * <p>Opening and the symlink check run on a metadata worker, warming on bulk ones; the digest comes
 * from the {@link DigestCache} (a worker computes it on a miss). The loop only sends.
 *
 * <p>Threading contract: {@link #onRequest} on the loop.
 */
final class GetOp implements OpHandler {
    /** An open file ready to send; closed by whoever ends up owning it. */
    record Opened(FileChannel file, Path real, FileStat stat, long offset, long count, long warmed)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    private final FileContext ctx;

    GetOp(FileContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public BodySink onRequest(Call call) throws Exception {
        call.session().require(Right.READ);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        long offset = req.optLong(OFFSET, 0);
        long length = req.optLong(LENGTH, -1);
        if (offset < 0) {
            throw OpException.badRequest("field \"offset\" must be >= 0 (got " + offset + ")");
        }
        if (length < -1) {
            throw OpException.badRequest("field \"length\" must be >= 0, or -1 for \"to the end\" (got " + length + ")");
        }
        String alg = req.optString(ALGORITHM);
        DigestAlgorithm algorithm = alg == null ? DigestAlgorithm.NONE : DigestAlgorithm.fromWire(alg);
        // The file is opened only once this connection has a download slot (DownloadSlots): a
        // client that pipelines GETs and never reads holds a few descriptors, not one per GET.
        ctx.downloadSlots.acquire(call, slot -> ctx.onWorker(call, fp.shown(), () -> open(fp, offset, length, !algorithm.isNone()), opened -> {
            if (algorithm.isNone()) {
                begin(call, opened, algorithm, null, slot);
                return;
            }
            boolean taken = ctx.digests.digest(call.loop(), opened.real(), opened.stat(), algorithm,
                    new Workers.Completion<>() {
                        @Override
                        public void complete(DigestCache.Result r, Throwable e) {
                            if (call.isCancelled()) {
                                FileContext.closeQuietly(opened);
                                slot.release();
                            } else if (e != null) {
                                FileContext.closeQuietly(opened);
                                slot.release();
                                call.fail(FileErrors.map(e, fp.shown()));
                            } else {
                                begin(call, opened, algorithm, r.hex(), slot);
                            }
                        }

                        @Override
                        public void abandoned(DigestCache.Result r) {
                            FileContext.closeQuietly(opened); // the loop stopped: nobody sends it now
                        }
                    });
            if (!taken) {
                throw DigestCache.busy(); // closes the file and gives the slot back (FileContext.onWorker)
            }
        }, slot::release));
        return null;
    }

    /**
     * A body this small is warmed right here, on the metadata worker that opened it: a short read,
     * and it spares small GETs a second hop through the bulk lane (pipelined 4 KiB GETs lost a
     * third of their rate to it). Bigger bodies are warmed by {@link Download} on the bulk lane: a
     * cold multi-MiB read here would hold up other users' STATs.
     */
    static final long WARM_ON_OPEN_MAX_BYTES = 256 * 1024;

    /**
     * Worker (metadata lane): confine, open with one walk, size the range, warm it if small (or
     * learn whether its first window is cached, which costs no read: {@link PageCacheProbe}). The
     * change time (a stat by path) is read only when a digest is asked for: it identifies the
     * file's version in the {@link DigestCache}.
     */
    private Opened open(FilePath fp, long offset, long length, boolean digest) throws Exception {
        Path real = ctx.resolver.confineTarget(fp);
        ReadFile rf = ctx.files().openForRead(real, digest);
        FileStat st = rf.stat();
        if (rf.channel() == null) {
            throw st.isDir() ? OpException.badRequest(fp.shown() + " is a folder (LIST shows what is in it)")
                    : OpException.badRequest(fp.shown() + " is not a regular file");
        }
        FileChannel ch = rf.channel();
        try {
            long size = st.size();
            if (offset > size) {
                throw OpException.badRequest("offset " + offset + " is beyond the end of " + fp.shown()
                        + " (" + size + " bytes)");
            }
            long count = length < 0 ? size - offset : Math.min(length, size - offset);
            long warmed = 0;
            if (ctx.config.readAheadBytes() > 0 && count > 0 && count <= WARM_ON_OPEN_MAX_BYTES) {
                ctx.warmer.warm(ch, offset, count);
                warmed = count;
            } else if (ctx.config.readAheadBytes() > 0 && count > 0) {
                // Asked here, on the worker that is running anyway: a cached first window (all of
                // a 1 MiB body) then costs the loop neither a probe nor a warm job.
                long first = Math.min(ctx.config.readAheadWindowBytes(), count);
                if (ctx.config.pageCacheProbe().isCached(ch, offset, first)) {
                    warmed = first;
                }
            }
            return new Opened(ch, real, st, offset, count, warmed);
        } catch (Throwable t) {
            ch.close();
            throw t;
        }
    }

    /** Loop: the FILE header, then the body. */
    private void begin(Call call, Opened o, DigestAlgorithm algorithm, String digest, DownloadSlots.Slot slot) {
        Header h = Header.reply(FILE, call.id())
                .put(Header.SIZE, o.count())
                .put(OFFSET, o.offset())
                .put(FILE_SIZE, o.stat().size())
                .put(MTIME, o.stat().mtimeMillis());
        if (digest != null) {
            h.put(ALGORITHM, algorithm.wireName()).put(DIGEST, digest);
        }
        call.send(h);
        call.settle(); // the file is open and its digest known: later requests cannot change this answer
        new Download(ctx, call, o.file(), o.offset(), o.count(), o.warmed(), slot::release).start();
    }

    static OpException busy(String what) {
        return new OpException(ErrorCode.BUSY, "server busy: " + what);
    }
}
