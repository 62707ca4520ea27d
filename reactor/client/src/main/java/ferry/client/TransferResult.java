package ferry.client;

/**
 * What a finished download or upload did.
 *
 * @param fileSize     size of the whole file
 * @param resumedFrom  bytes that were already there (a resumed transfer), 0 for a fresh one
 * @param transferred  bytes moved over the network by this transfer
 * @param nanos        wall time of the transfer
 * @param algorithm    digest algorithm used to verify, {@code none} when verification was off
 * @param digest       the verified digest (hex), or null when not verified
 */
public record TransferResult(long fileSize, long resumedFrom, long transferred, long nanos, String algorithm, String digest) {
    public boolean verified() {
        return digest != null;
    }
}
