package ferry.services.file;

import ferry.protocol.DigestAlgorithm;

/**
 * What a PUT asked for, validated: the file, its size, where this request's body starts, the
 * digest to compute and the one the client declared, whether it may replace an existing file,
 * and the modification time to set.
 *
 * @param expect the declared digest (hex), or null
 * @param overwrite the request allows replacing an existing file
 * @param mayReplace the session has the delete right, without which nothing is replaced
 * @param mtimeToSet milliseconds since the epoch, or -1 to leave the time of the upload
 */
record UploadTerms(FilePath fp, long fileSize, long offset, DigestAlgorithm algorithm, String expect,
                   boolean overwrite, boolean mayReplace, long mtimeToSet) {
    /** Body bytes this request carries. */
    long bodyBytes() {
        return fileSize - offset;
    }
}
