package ferry.services.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * What a PUT's opening worker produced for its {@link Upload}: the claimed target, its temp, open
 * and ready at the request's offset, the digest fed with any resumed prefix (or null), for a big
 * upload a second, {@code O_DIRECT} channel on the temp (or null), and the quota reservation.
 *
 * <p>Closing it closes the channels only (what a completion that cannot use it must do).
 */
record OpenedUpload(Path target, Path temp, FileChannel file, MessageDigest digest, UploadWriter.Direct direct,
                    HomeQuotas.Reservation quota) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            if (direct != null) {
                direct.channel().close();
            }
        }
    }
}
