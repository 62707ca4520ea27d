package ferry.services.file;

import static ferry.protocol.FileProtocol.*;

import ferry.protocol.ErrorCode;
import ferry.protocol.Header;
import ferry.reactor.BodySink;
import ferry.reactor.Call;
import ferry.reactor.OpException;
import ferry.reactor.Right;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The ops that change the namespace: {@code MKDIR}, {@code DELETE} and {@code RENAME}. Each runs
 * on a worker and answers {@code OK}. Recursive deletes never follow symlinks (a link is removed,
 * never what it points to).
 *
 * <p>Rights: MKDIR and RENAME need {@code write}; DELETE needs {@code delete}; a RENAME that
 * replaces an existing target needs both.
 *
 * <p>Threading contract: the handlers run on the loop.
 */
final class NamespaceOps {
    private final FileContext ctx;

    NamespaceOps(FileContext ctx) {
        this.ctx = ctx;
    }

    BodySink mkdir(Call call) throws Exception {
        call.session().require(Right.WRITE);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        boolean parents = req.optBoolean(PARENTS, false);
        ctx.onWorker(call, fp.shown(), () -> {
            RootFiles files = ctx.files();
            Path real = ctx.resolver.confine(fp);
            Path realHome = fp.home().toRealPath(); // where new folders are staged (RootFiles#createDirectory)
            if (parents) {
                BasicFileAttributes a = attributesOrNull(files, real);
                if (a != null && a.isSymbolicLink()) {
                    // a link that stays inside (confine checked): fine if it leads to a folder, as mkdir -p
                    a = files.attributes(ctx.resolver.confineTarget(fp));
                }
                if (a != null && !a.isDirectory()) {
                    throw new OpException(ErrorCode.EXISTS, "already exists and is not a folder: " + fp.shown());
                }
                if (a == null) {
                    try {
                        files.createDirectories(real, realHome);
                    } catch (FileAlreadyExistsException e) {
                        throw new OpException(ErrorCode.EXISTS, "a name on the way to " + fp.shown()
                                + " exists and is not a folder");
                    }
                }
            } else {
                try {
                    files.createDirectory(real, realHome);
                } catch (NoSuchFileException e) {
                    throw OpException.notFound("the folder to create " + fp.shown()
                            + " in does not exist (\"parents\": true creates it too)");
                }
            }
            return Boolean.TRUE;
        }, ok -> call.reply(Header.reply(OK, call.id())));
        return null;
    }

    BodySink delete(Call call) throws Exception {
        call.session().require(Right.DELETE);
        Header req = call.request();
        FilePath fp = ctx.resolver.resolve(call.session().home(), req.requireString(PATH));
        boolean recursive = req.optBoolean(RECURSIVE, false);
        if (fp.isHome()) {
            throw OpException.forbidden("your home folder itself cannot be deleted");
        }
        ctx.onWorker(call, fp.shown(), () -> {
            RootFiles files = ctx.files();
            Path real = ctx.resolver.confine(fp);
            BasicFileAttributes attrs = files.attributes(real);
            boolean dir = attrs.isDirectory();
            try {
                if (dir && recursive) {
                    // Counted before, subtracted after: a tree half deleted (an error midway) is rescanned instead.
                    long[] counted = ctx.quotas.tracks(fp.home()) ? HomeQuotas.scan(real) : new long[2];
                    try {
                        files.deleteTree(real);
                    } catch (IOException | RuntimeException e) {
                        ctx.quotas.forget(fp.home());
                        throw e;
                    }
                    ctx.quotas.removed(fp.home(), counted[0], counted[1]);
                } else {
                    files.delete(real);
                    if (attrs.isRegularFile()) {
                        ctx.quotas.removed(fp.home(), attrs.size(), 1);
                    }
                }
            } catch (DirectoryNotEmptyException e) {
                throw new OpException(ErrorCode.CONFLICT, "folder is not empty: " + fp.shown()
                        + " (\"recursive\": true deletes it with its contents)");
            } finally {
                ctx.digests.invalidate(real);
            }
            return Boolean.TRUE;
        }, ok -> call.reply(Header.reply(OK, call.id())));
        return null;
    }

    /**
     * Deletes a folder and everything under it, bottom up, without following any symlink: by
     * path, for platforms without folder handles ({@link RootFiles#deleteTree} otherwise).
     */
    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    BodySink rename(Call call) throws Exception {
        call.session().require(Right.WRITE);
        Header req = call.request();
        String home = call.session().home();
        FilePath from = ctx.resolver.resolve(home, req.requireString(FROM));
        FilePath to = ctx.resolver.resolve(home, req.requireString(TO));
        boolean overwrite = req.optBoolean(OVERWRITE, false);
        boolean mayDelete = call.session().has(Right.DELETE);
        if (from.isHome() || to.isHome()) {
            throw OpException.forbidden("your home folder itself cannot be renamed or replaced");
        }
        ctx.onWorker(call, from.shown(), () -> {
            RootFiles files = ctx.files();
            Path src = ctx.resolver.confine(from);
            Path dst = ctx.resolver.confine(to);
            if (!files.exists(src)) {
                throw OpException.notFound("no such file or folder: " + from.shown());
            }
            if (src.equals(dst)) {
                return Boolean.TRUE;
            }
            if (dst.startsWith(src)) {
                throw OpException.badRequest("cannot move " + from.shown() + " into itself (" + to.shown() + ")");
            }
            BasicFileAttributes existing = attributesOrNull(files, dst);
            if (existing != null) {
                if (!overwrite) {
                    throw new OpException(ErrorCode.EXISTS, "already exists: " + to.shown()
                            + " (\"overwrite\": true replaces it)");
                }
                if (!mayDelete) {
                    throw OpException.forbidden("replacing " + to.shown() + " needs the delete right");
                }
                if (existing.isDirectory()) {
                    throw OpException.badRequest(to.shown() + " is a folder; RENAME does not replace folders");
                }
            }
            // Between the check and the rename another client may create the target; rename(2)
            // would then replace it. Java has no renameat2(RENAME_NOREPLACE) to close that gap.
            try {
                files.move(src, dst);
                if (existing != null && existing.isRegularFile()) {
                    // Both names are in this home: only the replaced file changes its usage.
                    ctx.quotas.removed(to.home(), existing.size(), 1);
                }
            } catch (AtomicMoveNotSupportedException e) {
                throw new OpException(ErrorCode.IO_ERROR, "cannot rename across filesystems on the server");
            } catch (NoSuchFileException e) {
                throw OpException.notFound("the folder of " + to.shown() + " does not exist");
            } finally {
                ctx.digests.invalidate(src);
                ctx.digests.invalidate(dst);
            }
            return Boolean.TRUE;
        }, ok -> call.reply(Header.reply(OK, call.id())));
        return null;
    }

    /** The attributes of {@code real} itself (a symlink described), or null if nothing is there. */
    private static BasicFileAttributes attributesOrNull(RootFiles files, Path real) throws IOException {
        try {
            return files.attributes(real);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
