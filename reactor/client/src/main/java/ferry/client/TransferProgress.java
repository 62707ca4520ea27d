package ferry.client;

import java.io.IOException;

/**
 * Told how a transfer is going: bytes done so far (of the whole file, counting a resumed prefix),
 * the file's total size, and the rate of this transfer in bytes per second (resumed bytes
 * excluded). Called on the transferring thread, at most every
 * {@link FileClient.Options#progressIntervalMillis()} and once at the end; keep it quick. Throwing
 * aborts the transfer (a partial download stays resumable).
 */
@FunctionalInterface
public interface TransferProgress {
    TransferProgress NONE = (done, total, rate) -> { };

    void onProgress(long bytesDone, long totalBytes, double bytesPerSecond) throws IOException;
}
