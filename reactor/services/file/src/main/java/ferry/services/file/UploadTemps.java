package ferry.services.file;

import ferry.protocol.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Names of upload temp files. A temp lives in the folder of its target (so the final rename is
 * atomic: same filesystem) under a recognisable, fixed-length name derived from what identifies
 * the upload: its owner (the session's user name; anonymous sessions are the one owner
 * {@code anonymous}), target name, declared file size, digest algorithm and expected digest. The
 * same upload therefore finds its temp again after a dropped connection or a server restart; a
 * different upload of the same path never continues someone else's bytes when it declares a
 * digest; and another user's request never finds, completes or truncates the temp (a user cannot
 * even tell that another's temp exists: names are hashes, temps are hidden from LIST and refused
 * as paths).
 *
 * <p>Fixed length (not "name + suffix") so a 255-byte name still has a temp name.
 *
 * <p>Thread safety: stateless.
 */
public final class UploadTemps {
    /** Every temp name starts with this; clients cannot name such files and LIST hides them. */
    public static final String PREFIX = ".ferry-part-";
    /** Hex digits after the prefix: 128 bits of SHA-256 of the upload's identity. */
    static final int KEY_HEX_CHARS = 32;

    private UploadTemps() {}

    public static boolean isTempName(String name) {
        return name.startsWith(PREFIX);
    }

    /** The temp path of {@code owner}'s upload of {@code target}. */
    public static Path tempFor(Path target, String owner, long fileSize, DigestAlgorithm algorithm, String expect) {
        MessageDigest md = DigestAlgorithm.SHA_256.newDigest();
        // NUL cannot occur in a user name or a file name: the fields cannot run into each other.
        String identity = owner + '\0' + target.getFileName().toString() + '\0' + fileSize + '\0'
                + algorithm.wireName() + '\0' + (expect == null ? "" : expect);
        String hex = DigestAlgorithm.hex(md.digest(identity.getBytes(StandardCharsets.UTF_8)));
        return target.resolveSibling(PREFIX + hex.substring(0, KEY_HEX_CHARS));
    }
}
