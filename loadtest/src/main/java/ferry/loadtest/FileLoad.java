package ferry.loadtest;

import ferry.protocol.DigestAlgorithm;
import ferry.protocol.FileProtocol;
import ferry.protocol.Header;
import java.util.HexFormat;

/**
 * What every connection of one file-scenario run shares, fixed before the connections open:
 * the mix, the file size, paths, the content's digest, the PUT mode and the login keys. The
 * protocol's op and field names are {@link FileProtocol}'s.
 *
 * <p>Thread safety: immutable; shared by all I/O threads.
 */
final class FileLoad {
    /** The folder, under the root (or the user's home), that holds the harness's files. */
    static final String DIR = "ferry-loadtest";

    private final Mix mix;
    private final long fileBytes;
    private final long pingBytes;
    private final int getVerifyEvery;
    private final boolean putVerify;
    private final String digestHex;
    private final byte[] digest;
    private final ScramLogin login;

    FileLoad(Options o, String digestHex, ScramLogin login) {
        this.mix = o.mix();
        this.fileBytes = o.fileBytes;
        this.pingBytes = o.bodyBytes;
        this.getVerifyEvery = o.getVerifyEvery;
        this.putVerify = o.putVerify;
        this.digestHex = digestHex;
        this.digest = HexFormat.of().parseHex(digestHex);
        this.login = login;
    }

    /** The file every GET reads: one shared by all connections, named by its size. */
    static String getPath(long fileBytes) {
        return DIR + "/get-" + fileBytes + ".bin";
    }

    /** The file connection {@code index} uploads, again and again. */
    static String putPath(int index) {
        return DIR + "/put-" + index + ".bin";
    }

    String getPath() {
        return getPath(fileBytes);
    }

    /**
     * Connection {@code index}'s PUT header (without id): the whole file from offset 0, replacing
     * the previous upload. Verified: {@code algorithm sha-256} and {@code expect}, so the server
     * hashes while writing and checks before the rename. Unverified: {@code algorithm none}, the
     * cheapest PUT the protocol allows (the server still writes a temp, syncs if configured and
     * renames).
     */
    Header putHeader(int index) {
        Header h = Header.op(FileProtocol.PUT).put(FileProtocol.PATH, putPath(index)).put(FileProtocol.FILE_SIZE, fileBytes).put(FileProtocol.OFFSET, 0L)
                .put(Header.SIZE, fileBytes).put(FileProtocol.OVERWRITE, true);
        if (putVerify) {
            h.put(FileProtocol.ALGORITHM, DigestAlgorithm.SHA_256.wireName()).put(FileProtocol.EXPECT, digestHex);
        } else {
            h.put(FileProtocol.ALGORITHM, DigestAlgorithm.NONE.wireName());
        }
        return h;
    }

    Mix mix() {
        return mix;
    }

    long fileBytes() {
        return fileBytes;
    }

    long pingBytes() {
        return pingBytes;
    }

    int getVerifyEvery() {
        return getVerifyEvery;
    }

    boolean putVerify() {
        return putVerify;
    }

    String digestHex() {
        return digestHex;
    }

    /** The raw SHA-256 of the file's content; callers must not change it. */
    byte[] digest() {
        return digest;
    }

    /** Keys for logging each connection in, or null when the server needs no login. */
    ScramLogin login() {
        return login;
    }
}
