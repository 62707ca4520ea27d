package ferry.cli.transfer;

import ferry.cli.transfer.FileTransfers.RemoteFile;
import ferry.client.FileInfo;
import ferry.protocol.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;

/**
 * Decides whether a file the destination has already can be left alone ({@link SkipRule}):
 * same size and modification time, or same size and digest. A server's digest comes from STAT
 * (cached there per file version); a local file's is computed by reading it.
 *
 * <p>Thread safety: none; one command's thread.
 */
public final class UnchangedCheck {
    /** Read size when hashing a local file. */
    private static final int HASH_BUFFER_BYTES = 1 << 20;

    private final SkipRule rule;
    private final boolean noClobber;
    private final RemoteSteps steps;
    private final TransferReport report;
    private final DigestAlgorithm algorithm;

    /**
     * @param noClobber whether an existing destination is kept whatever it holds ({@code -n})
     */
    public UnchangedCheck(SkipRule rule, boolean noClobber, RemoteSteps steps, TransferReport report,
                   DigestAlgorithm algorithm) {
        this.rule = rule;
        this.noClobber = noClobber;
        this.steps = steps;
        this.report = report;
        this.algorithm = algorithm;
    }

    public SkipRule rule() {
        return rule;
    }

    /** Whether the local file {@code dest} is the same as the server's {@code src} (described by {@code info}). */
    public boolean localCopyOf(RemoteFile src, FileInfo info, Path dest) throws IOException {
        if (rule == SkipRule.NEVER || !Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        BasicFileAttributes a = Files.readAttributes(dest, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!rule.quickMatch(info.fileSize(), info.mtimeMillis(), a.size(), a.lastModifiedTime().toMillis())) {
            return false;
        }
        return rule != SkipRule.SAME_DIGEST || remoteDigest(src).equalsIgnoreCase(localDigest(dest));
    }

    /**
     * Whether the server's {@code there} (its STAT, null when missing) is the same as the local
     * file {@code src}.
     */
    public boolean remoteCopyOf(Path src, RemoteFile dest, FileInfo there) throws IOException {
        if (rule == SkipRule.NEVER || there == null || !there.isFile()) {
            return false;
        }
        BasicFileAttributes a = Files.readAttributes(src, BasicFileAttributes.class);
        if (!rule.quickMatch(a.size(), a.lastModifiedTime().toMillis(), there.fileSize(), there.mtimeMillis())) {
            return false;
        }
        return rule != SkipRule.SAME_DIGEST || remoteDigest(dest).equalsIgnoreCase(localDigest(src));
    }

    /** Whether the server file {@code there} (STAT of {@code dest}) is the same as {@code src} on another server. */
    public boolean serverCopyOf(RemoteFile src, FileInfo info, RemoteFile dest, FileInfo there) throws IOException {
        if (rule == SkipRule.NEVER || there == null || !there.isFile()) {
            return false;
        }
        if (!rule.quickMatch(info.fileSize(), info.mtimeMillis(), there.fileSize(), there.mtimeMillis())) {
            return false;
        }
        return rule != SkipRule.SAME_DIGEST || remoteDigest(src).equalsIgnoreCase(remoteDigest(dest));
    }

    /** The server's digest of {@code f} (STAT with the algorithm; the server caches it per file version). */
    public String remoteDigest(RemoteFile f) throws IOException {
        FileInfo info = steps.step(f.side(), fc -> fc.stat(f.path(), algorithm));
        if (info.digest() == null) {
            throw new IOException(f.shown() + ": the server sent no digest");
        }
        return info.digest();
    }

    /** The digest of the local file {@code p}, read from disk. */
    public String localDigest(Path p) throws IOException {
        MessageDigest md = algorithm.newDigest();
        byte[] buf = new byte[HASH_BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return DigestAlgorithm.hex(md.digest());
    }

    /** Compares a file with what the destination holds; true when it need not be sent. */
    @FunctionalInterface
    interface SameCheck {
        boolean same() throws IOException;
    }

    /** A comparison with the server's file of the destination's STAT (null when there is none). */
    @FunctionalInterface
    interface SameAsThere {
        boolean same(FileInfo there) throws IOException;
    }

    /**
     * Whether the file {@code label} is left alone: it is unchanged ({@code check}; reported as
     * skipped), or comparing failed (reported; sending blindly could replace a good copy).
     */
    boolean skipUnchanged(SameCheck check, String label) throws WalkAborted {
        if (rule == SkipRule.NEVER) {
            return false;
        }
        try {
            if (check.same()) {
                report.unchanged(label);
                return true;
            }
            return false;
        } catch (IOException e) {
            report.fail(null, label, e);
            return true;
        }
    }

    /**
     * For an upload or copy to {@code dest}: whether it is left alone because it exists
     * ({@code -n}), is unchanged ({@code same}), or its STAT failed (all reported).
     */
    boolean alreadyThere(RemoteFile dest, String label, SameAsThere same) throws WalkAborted {
        if (!noClobber && rule == SkipRule.NEVER) {
            return false;
        }
        FileInfo there = steps.statOrNull(dest);
        if (there == null && steps.failedLast()) {
            return true;
        }
        if (noClobber && there != null) {
            report.existing(label);
            return true;
        }
        return skipUnchanged(() -> same.same(there), label);
    }
}
